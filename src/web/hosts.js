// Host workers: Web Workers that load this app's wasm module with the page's shared memory and
// then run jobs from their Rust inbox (a rayon thread, or the coordinator) until terminated.
// This file is both the page-side helper (spawnHost) and, self-spawned, the worker's script.

const IS_WORKER = typeof window === 'undefined' && typeof self !== 'undefined';

if (IS_WORKER) {
  self.addEventListener('message', async function onInit({ data }) {
    if (!data || data.type !== 'playground:host-init') return;
    self.removeEventListener('message', onInit);
    let pkg;
    try {
      pkg = await import(data.glue);
      pkg.initSync({ module: data.module, memory: data.memory });
    } catch (e) {
      postMessage({ type: 'playground:host-failed', message: String(e && e.message || e) });
      return;
    }
    postMessage({ type: 'playground:host-ready' });
    try {
      pkg.playground_host_main(data.inbox, data.index);
    } catch (e) {
      // A panic in Rust aborts with a trap; the panic hook has already told the page what
      // happened. Reporting it here keeps it from surfacing as an uncaught error.
      postMessage({ type: 'playground:host-crashed', message: String(e && e.message || e) });
    }
  });
}

// A worker takes 100–300 ms to start while the page is still loading and compiling the wasm
// module (measured by the benchmark). So the page starts the pool's workers as soon as this
// module is evaluated — before the wasm is even compiled — and `spawnHost` hands each its
// module and memory when the pool starts. The count is the pool's default (the coordinator and
// one host per core, at most 16); `releasePrewarmed` ends any the pool did not take.
const prewarmed = [];
if (!IS_WORKER && typeof window !== 'undefined' && window.crossOriginIsolated && typeof Worker === 'function') {
  const n = Math.min(Math.max(navigator.hardwareConcurrency || 1, 1), 16) + 1;
  performance.mark('playground-workers-created');
  for (let i = 0; i < n; i++) {
    try {
      prewarmed.push(new Worker(new URL(import.meta.url), { type: 'module', name: 'playground-host' }));
    } catch {
      break;
    }
  }
}

/// Terminates the prewarmed workers no host took (the pool is smaller, or cannot start).
export function releasePrewarmed() {
  for (const w of prewarmed.splice(0)) w.terminate();
}

/// Spawns one host worker (or takes a prewarmed one). `onMessage(type, message)` gets ready /
/// failed / crashed.
export function spawnHost(glue, module, memory, inbox, index, onMessage) {
  const worker = prewarmed.shift() || new Worker(new URL(import.meta.url), { type: 'module', name: 'playground-host-' + index });
  worker.addEventListener('message', ({ data }) => {
    if (data && typeof data.type === 'string') onMessage(data.type, data.message || '');
  });
  worker.addEventListener('error', (ev) => {
    ev.preventDefault();
    onMessage('playground:host-failed', ev.message || 'the worker script failed to load');
  });
  try {
    worker.postMessage({ type: 'playground:host-init', glue, module, memory, inbox, index });
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return worker;
}
