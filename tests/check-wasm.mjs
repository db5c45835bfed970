// Checks the release build imports a *shared* memory: without the linker flags in
// .cargo/config.toml nightly silently builds a non-shared module and no thread ever starts.
import { readdir, readFile } from 'node:fs/promises';

const dist = process.argv[2] || 'dist';
const files = await readdir(dist);
const wasm = files.filter((f) => f.endsWith('.wasm'));
if (wasm.length !== 1) throw new Error(`expected one .wasm in ${dist}, found ${wasm.length}`);
const mod = new WebAssembly.Module(await readFile(`${dist}/${wasm[0]}`));
const memory = WebAssembly.Module.imports(mod).find((i) => i.kind === 'memory');
const glue = await Promise.all(files.filter((f) => f.endsWith('.js')).map((f) => readFile(`${dist}/${f}`, 'utf8')));
const shared = glue.some((js) => /new WebAssembly\.Memory\(\{[^}]*shared:\s*true/.test(js));
if (!memory || !shared) {
  console.error(`${wasm[0]}: memory imported: ${!!memory}, shared: ${shared}; threads cannot start (check .cargo/config.toml)`);
  process.exit(1);
}
console.log(`${wasm[0]} imports a shared memory (threads can start)`);
