// Host workers: Web Workers that load this app's wasm module with the page's shared memory and
// then run jobs from their Rust inbox (a rayon thread, or the coordinator) until terminated.
// This file is both the page-side helper (spawnHost) and, self-spawned, the worker's script.

const IS_WORKER = typeof window === 'undefined' && typeof self !== 'undefined';

if (IS_WORKER) {
  self.addEventListener('message', async function onInit({ data }) {
    if (!data || data.type !== 'playground:host-init') return;
    self.removeEventListener('message', onInit);
    let pkg, wasm;
    try {
      pkg = await import(data.glue);
      wasm = pkg.initSync({ module: data.module, memory: data.memory });
    } catch (e) {
      postMessage({ type: 'playground:host-failed', message: String(e && e.message || e) });
      return;
    }
    postMessage({ type: 'playground:host-ready' });
    try {
      pkg.playground_host_main(data.inbox, data.index);
      // It returns only for a fresh thread worker whose job is done: give its stack and
      // thread-locals back to the shared memory, then end. No message: the page has already
      // let go of this worker's handle and listener.
      if (wasm && typeof wasm.__wbindgen_thread_destroy === 'function') wasm.__wbindgen_thread_destroy();
      close();
    } catch (e) {
      // A panic in Rust aborts with a trap; the panic hook has already told the page what
      // happened. Reporting it here keeps it from surfacing as an uncaught error.
      postMessage({ type: 'playground:host-crashed', message: String(e && e.message || e) });
    }
  });
}

/// Spawns one host worker. `onMessage(type, message)` gets ready / failed / crashed.
export function spawnHost(glue, module, memory, inbox, index, onMessage) {
  const worker = new Worker(new URL(import.meta.url), { type: 'module', name: 'playground-host-' + index });
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
