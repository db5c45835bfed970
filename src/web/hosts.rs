//! Host workers: Web Workers sharing the page's wasm memory, each draining a lock-free inbox of
//! jobs. The page only ever pushes (a CAS and an atomic notify): it never waits on a lock.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::rc::Rc;
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};
use std::sync::Arc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub type Job = Box<dyn FnOnce() + Send + 'static>;

struct Node {
    job: Job,
    next: *mut Node,
}

/// A multi-producer, single-consumer job inbox: a Treiber stack that the host empties whole.
pub struct Inbox {
    head: AtomicPtr<Node>,
    /// Bumped on every push; the host sleeps on it with `memory.atomic.wait32`.
    seq: AtomicI32,
}

// SAFETY: nodes are only reachable through the atomic head; ownership of a node passes to
// exactly one consumer by the `swap` in `take_all`.
unsafe impl Send for Inbox {}
unsafe impl Sync for Inbox {}

impl Inbox {
    pub fn new() -> Self {
        Inbox {
            head: AtomicPtr::new(ptr::null_mut()),
            seq: AtomicI32::new(0),
        }
    }

    /// Adds a job and wakes the host. Lock-free: safe on the page's main thread.
    pub fn push(&self, job: Job) {
        let node = Box::into_raw(Box::new(Node {
            job,
            next: ptr::null_mut(),
        }));
        let mut head = self.head.load(Ordering::Acquire);
        loop {
            // SAFETY: `node` is ours until the CAS publishes it.
            unsafe { (*node).next = head };
            match self
                .head
                .compare_exchange_weak(head, node, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(h) => head = h,
            }
        }
        self.seq.fetch_add(1, Ordering::Release);
        // SAFETY: `seq` is a valid, aligned i32 in shared memory; notify never blocks.
        unsafe {
            core::arch::wasm32::memory_atomic_notify(self.seq.as_ptr(), u32::MAX);
        }
    }

    /// Takes every queued job, oldest first.
    fn take_all(&self) -> Vec<Job> {
        let mut node = self.head.swap(ptr::null_mut(), Ordering::AcqRel);
        let mut jobs = Vec::new();
        while !node.is_null() {
            // SAFETY: the swap gave this thread sole ownership of the whole list.
            let boxed = unsafe { Box::from_raw(node) };
            node = boxed.next;
            jobs.push(boxed.job);
        }
        jobs.reverse();
        jobs
    }
}

impl Default for Inbox {
    fn default() -> Self {
        Self::new()
    }
}

/// The host worker's main loop (called from `hosts.js` inside the worker; never returns).
#[wasm_bindgen]
pub fn playground_host_main(inbox: u32, index: u32) {
    HOST_INDEX.with(|h| h.set(Some(index)));
    // SAFETY: `inbox` is `Arc::into_raw` of an Inbox that the page leaks for the host's life.
    let inbox: &Inbox = unsafe { &*(inbox as usize as *const Inbox) };
    loop {
        let seen = inbox.seq.load(Ordering::Acquire);
        let jobs = inbox.take_all();
        if jobs.is_empty() {
            // SAFETY: waiting is allowed in a worker; `seq` is a valid aligned i32.
            unsafe {
                core::arch::wasm32::memory_atomic_wait32(inbox.seq.as_ptr(), seen, -1);
            }
            continue;
        }
        for job in jobs {
            job();
        }
        if EXIT.with(Cell::get) {
            return; // hosts.js frees this thread's stack and thread-locals, then closes it
        }
    }
}

/// Ends the host the current job runs on once that job returns (a fresh thread worker's last).
pub fn exit_after_job() {
    EXIT.with(|e| e.set(true));
}

thread_local! {
    static HOST_INDEX: Cell<Option<u32>> = const { Cell::new(None) };
    static EXIT: Cell<bool> = const { Cell::new(false) };
}

/// The host index of the calling thread, if it is a host worker.
pub fn host_index() -> Option<u32> {
    HOST_INDEX.with(|h| h.get())
}

#[wasm_bindgen(module = "/src/web/hosts.js")]
extern "C" {
    #[wasm_bindgen(js_name = spawnHost, catch)]
    fn spawn_host_js(
        glue: &str,
        module: JsValue,
        memory: JsValue,
        inbox: u32,
        index: u32,
        on_message: &js_sys::Function,
    ) -> Result<web_sys::Worker, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    // The glue module's own URL: host workers import it to share this module and memory.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: js_sys::JsString;
}

/// The URL of the wasm-bindgen glue module: other workers import it to load this module.
pub fn glue_url() -> String {
    GLUE_URL.with(|u| u.into())
}

/// Life of a host as the page sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum HostState {
    Starting,
    Ready,
    Failed(String),
    Crashed(String),
}

/// The page's handle on one host worker.
pub struct Host {
    pub index: u32,
    pub inbox: Arc<Inbox>,
    pub state: Rc<RefCell<HostState>>,
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(String, String)>,
}

impl Host {
    /// Starts a host worker. `changed` is called on the page whenever its state changes.
    pub fn spawn(index: u32, changed: Rc<dyn Fn()>) -> Result<Host, String> {
        let inbox = Arc::new(Inbox::new());
        let state = Rc::new(RefCell::new(HostState::Starting));
        let st = state.clone();
        let on_message =
            Closure::<dyn FnMut(String, String)>::new(move |kind: String, msg: String| {
                let next = match kind.as_str() {
                    "playground:host-ready" => HostState::Ready,
                    "playground:host-failed" => HostState::Failed(msg),
                    "playground:host-crashed" => HostState::Crashed(msg),
                    _ => return,
                };
                *st.borrow_mut() = next;
                changed();
            });
        let glue = glue_url();
        // The inbox lives as long as the host: leaked on purpose (a terminated host's inbox
        // may still be referenced by a stuck thread, so it is never freed).
        let raw = Arc::into_raw(inbox.clone()) as usize as u32;
        let worker = spawn_host_js(
            &glue,
            wasm_bindgen::module(),
            wasm_bindgen::memory(),
            raw,
            index,
            on_message.as_ref().unchecked_ref(),
        )
        .map_err(|e| crate::web::env::js_error_text(&e))?;
        Ok(Host {
            index,
            inbox,
            state,
            worker,
            _on_message: on_message,
        })
    }

    pub fn is_ready(&self) -> bool {
        *self.state.borrow() == HostState::Ready
    }

    pub fn terminate(&self) {
        self.worker.terminate();
    }
}
