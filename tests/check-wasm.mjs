// Checks the release build imports a *shared* memory: without the linker flags in
// .cargo/config.toml nightly silently builds a non-shared module and no thread ever starts.
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

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

// The size budget: gzip(wasm + JS) of the release build. The goal was 300 KB; the
// measured breakdown in README "Size" says what the bytes above it buy. A build over the
// budget fails here, so growth is a decision, not an accident.
const BUDGET_KB = 730;
// Every JS file counts, the wasm-bindgen snippets (snippets/…) too.
const all = await readdir(dist, { recursive: true });
let gz = 0;
for (const f of all.filter((x) => x.endsWith('.wasm') || x.endsWith('.js'))) gz += gzipSync(await readFile(`${dist}/${f}`), { level: 9 }).length;
const kb = gz / 1024;
if (kb > BUDGET_KB) {
  console.error(`gzip(wasm + JS) is ${kb.toFixed(1)} KB, over the ${BUDGET_KB} KB budget (README "Size")`);
  process.exit(1);
}
console.log(`gzip(wasm + JS) = ${kb.toFixed(1)} KB (budget ${BUDGET_KB} KB)`);
