// Process workers: Web Workers that instantiate this app's wasm module with a memory of their
// own (no shared memory), like Python's worker processes. Jobs and results cross by message.
// This file is both the page-side helper (spawnProcess) and, self-spawned, the worker's script.

const IS_WORKER = typeof window === 'undefined' && typeof self !== 'undefined';
const now = () => performance.timeOrigin + performance.now();

// In a process worker: the ports to the process workers the page connected this one to (a
// Pipe's ends), by their index. The glue imports this same module, so `postPeer` sees them.
const peers = new Map();

if (IS_WORKER) {
  self.addEventListener('message', async function onInit({ data }) {
    if (!data || data.type !== 'playground:proc-init') return;
    self.removeEventListener('message', onInit);
    let pkg;
    try {
      pkg = await import(data.glue);
      // No memory passed: the glue creates a fresh one, so nothing is shared with the page.
      pkg.initSync({ module: data.module });
    } catch (e) {
      postMessage({ type: 'playground:proc-failed', message: String((e && e.message) || e) });
      return;
    }
    self.addEventListener('message', ({ data: job }) => {
      if (job && job.type === 'playground:proc-peer' && job.port) {
        // A peer's messages are handled like jobs; a non-empty answer goes to the page as a note.
        peers.set(job.peer, job.port);
        job.port.onmessage = ({ data: text }) => {
          try {
            const note = pkg.playground_process_job(String(text));
            if (note) postMessage({ type: 'playground:proc-note', id: 0, payload: note });
          } catch (e) {
            postMessage({ type: 'playground:proc-crashed', id: 0, message: String((e && e.message) || e) });
          }
        };
        return;
      }
      if (!job || job.type !== 'playground:proc-job') return;
      try {
        // A job may carry a SharedArrayBuffer: the one thing that is shared, on purpose.
        const payload = job.shared
          ? pkg.playground_process_shared(job.shared, job.payload)
          : pkg.playground_process_job(job.payload);
        postMessage({ type: 'playground:proc-result', id: job.id, payload });
      } catch (e) {
        // A panic traps the instance: report it; the page replaces this worker.
        postMessage({ type: 'playground:proc-crashed', id: job.id, message: String((e && e.message) || e) });
      }
    });
    postMessage({ type: 'playground:proc-ready', t: now() });
  });
}

/// Spawns one process worker; `onMessage(type, id, payload)` gets its replies.
export function spawnProcess(glue, module, index, onMessage) {
  const worker = new Worker(new URL(import.meta.url), { type: 'module', name: 'playground-process-' + index });
  worker.addEventListener('message', ({ data }) => {
    if (data && typeof data.type === 'string') {
      onMessage(data.type, data.id ?? 0, data.payload ?? data.message ?? '');
    }
  });
  worker.addEventListener('error', (ev) => {
    ev.preventDefault();
    onMessage('playground:proc-failed', 0, ev.message || 'the worker script failed to load');
  });
  worker.postMessage({ type: 'playground:proc-init', glue, module });
  return worker;
}

/// Inside a process worker: sends `text` to the connected process `to`, straight through their
/// MessageChannel (the page never sees it). False when `to` is not connected to this one.
export function postPeer(to, text) {
  const port = peers.get(to);
  if (!port) return false;
  port.postMessage(text);
  return true;
}

/// On the page: connects process workers `a` (index `ai`) and `b` (index `bi`) with a
/// MessageChannel, one end transferred to each.
export function connectPeers(a, ai, b, bi) {
  const channel = new MessageChannel();
  a.postMessage({ type: 'playground:proc-peer', peer: bi, port: channel.port1 }, [channel.port1]);
  b.postMessage({ type: 'playground:proc-peer', peer: ai, port: channel.port2 }, [channel.port2]);
}

/// Sends one job; `payload` is a string (what crosses is a copy, as with pickling).
export function postJob(worker, id, payload) {
  worker.postMessage({ type: 'playground:proc-job', id, payload });
}

/// Sends one job with a SharedArrayBuffer the worker may change (multiprocessing.Value).
export function postShared(worker, id, payload, shared) {
  worker.postMessage({ type: 'playground:proc-job', id, payload, shared });
}
