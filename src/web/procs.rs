//! Process workers on the page's side: isolated Web Workers (each its own wasm memory) started
//! lazily and reused; jobs go out as text and come back as text, like pickled arguments.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::{mpsc, oneshot};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::labs::process_main;
use crate::engine::ports::SharedCells;
use crate::web::clock::PerfClock;

/// Runs one job inside a process worker (called by `procs.js` there): the registry's process
/// entry, the same code native tests run on their "process" threads.
#[wasm_bindgen]
pub fn playground_process_job(payload: String) -> String {
    install_peers();
    reply_text(process_main(&payload, None, &PerfClock))
}

/// Lets process-side code send to its connected peers (`engine::ports::peer`).
fn install_peers() {
    thread_local! { static DONE: Cell<bool> = const { Cell::new(false) }; }
    if !DONE.with(|d| d.replace(true)) {
        crate::engine::ports::peer::install(Box::new(|to, text| {
            if post_peer_js(to, text) {
                Ok(())
            } else {
                Err(format!("process {to} is not connected to this one"))
            }
        }));
    }
}

/// A job with the page's SharedArrayBuffer mapped in (`multiprocessing.Value`).
#[wasm_bindgen]
pub fn playground_process_shared(shared: js_sys::SharedArrayBuffer, payload: String) -> String {
    install_peers();
    let cells = JsCells::new(&shared);
    reply_text(process_main(&payload, Some(&cells), &PerfClock))
}

/// The reply as text: the answer, or `{"error": …}` for a job the process could not read.
fn reply_text(out: Result<String, String>) -> String {
    out.unwrap_or_else(|e| {
        serde_json::to_string(&std::collections::BTreeMap::from([("error", e)])).unwrap_or_default()
    })
}

/// A SharedArrayBuffer's cells through JS `Atomics`.
pub struct JsCells(js_sys::Int32Array);

impl JsCells {
    pub fn new(buffer: &js_sys::SharedArrayBuffer) -> JsCells {
        JsCells(js_sys::Int32Array::new(buffer))
    }
}

impl SharedCells for JsCells {
    fn load(&self, i: u32) -> i32 {
        js_sys::Atomics::load(&self.0, i).unwrap_or(0)
    }
    fn store(&self, i: u32, v: i32) {
        let _ = js_sys::Atomics::store(&self.0, i, v);
    }
    fn cas(&self, i: u32, expected: i32, new: i32) -> i32 {
        js_sys::Atomics::compare_exchange(&self.0, i, expected, new)
            .unwrap_or(expected.wrapping_add(1))
    }
    fn add(&self, i: u32, v: i32) -> i32 {
        js_sys::Atomics::add(&self.0, i, v).unwrap_or(0)
    }
}

#[wasm_bindgen(module = "/src/web/procs.js")]
extern "C" {
    #[wasm_bindgen(js_name = spawnProcess, catch)]
    fn spawn_process_js(
        glue: &str,
        module: JsValue,
        index: u32,
        on_message: &js_sys::Function,
    ) -> Result<web_sys::Worker, JsValue>;

    #[wasm_bindgen(js_name = postJob, catch)]
    fn post_job_js(worker: &web_sys::Worker, id: u32, payload: &str) -> Result<(), JsValue>;

    #[wasm_bindgen(js_name = postPeer)]
    fn post_peer_js(to: u32, text: &str) -> bool;

    #[wasm_bindgen(js_name = connectPeers, catch)]
    fn connect_peers_js(
        a: &web_sys::Worker,
        ai: u32,
        b: &web_sys::Worker,
        bi: u32,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(js_name = postShared, catch)]
    fn post_shared_js(
        worker: &web_sys::Worker,
        id: u32,
        payload: &str,
        shared: &js_sys::SharedArrayBuffer,
    ) -> Result<(), JsValue>;
}

type Reply = Result<String, String>;

/// One process worker as the page sees it.
pub struct Proc {
    pub index: u32,
    worker: web_sys::Worker,
    ready: Rc<Cell<bool>>,
    failed: Rc<RefCell<Option<String>>>,
    /// Replies awaited, by job id: several jobs may be in flight on one worker.
    pending: Rc<RefCell<HashMap<u32, oneshot::Sender<Reply>>>>,
    /// Notes the worker posted while handling its peers' messages, oldest first.
    notes: Rc<RefCell<mpsc::UnboundedReceiver<Reply>>>,
    next_id: Cell<u32>,
    _on_message: Closure<dyn FnMut(String, u32, String)>,
}

impl Proc {
    fn spawn(index: u32) -> Result<Proc, String> {
        let ready = Rc::new(Cell::new(false));
        let failed = Rc::new(RefCell::new(None));
        let pending: Rc<RefCell<HashMap<u32, oneshot::Sender<Reply>>>> = Rc::default();
        let (r, f, p) = (ready.clone(), failed.clone(), pending.clone());
        let (note_tx, notes) = mpsc::unbounded::<Reply>();
        let on_message = Closure::<dyn FnMut(String, u32, String)>::new(
            move |kind: String, id: u32, payload: String| {
                // A crash or a failed start answers every job in flight: the worker is gone.
                let fail_all = |why: &str| {
                    for (_, tx) in p.borrow_mut().drain() {
                        let _ = tx.send(Err(why.to_string()));
                    }
                };
                match kind.as_str() {
                    "playground:proc-ready" => r.set(true),
                    "playground:proc-failed" | "playground:proc-crashed" => {
                        *f.borrow_mut() = Some(payload.clone());
                        fail_all(&payload);
                        let _ = note_tx.unbounded_send(Err(payload));
                    }
                    "playground:proc-note" => {
                        let _ = note_tx.unbounded_send(Ok(payload));
                    }
                    "playground:proc-result" => {
                        if let Some(tx) = p.borrow_mut().remove(&id) {
                            let _ = tx.send(Ok(payload));
                        }
                    }
                    _ => {}
                }
            },
        );
        let glue = crate::web::hosts::glue_url();
        let worker = spawn_process_js(
            &glue,
            wasm_bindgen::module(),
            index,
            on_message.as_ref().unchecked_ref(),
        )
        .map_err(|e| crate::web::env::js_error_text(&e))?;
        Ok(Proc {
            index,
            worker,
            ready,
            failed,
            pending,
            notes: Rc::new(RefCell::new(notes)),
            next_id: Cell::new(1),
            _on_message: on_message,
        })
    }

    /// A worker outside the pool, started and ready (for "a fresh process per task"), and how
    /// long starting it took.
    pub async fn fresh(index: u32, timeout_ms: f64) -> Result<(Proc, f64), String> {
        let t0 = crate::web::clock::now();
        let p = Proc::spawn(index)?;
        loop {
            if let Some(why) = p.failed.borrow().clone() {
                p.terminate();
                return Err(format!("a fresh process worker could not start: {why}"));
            }
            if p.ready.get() {
                return Ok((p, crate::web::clock::now() - t0));
            }
            if crate::web::clock::now() - t0 > timeout_ms {
                p.terminate();
                return Err("a fresh process worker was not ready in time".to_string());
            }
            gloo_timers::future::TimeoutFuture::new(1).await;
        }
    }

    /// The next note the worker posted while handling a peer's message.
    pub async fn next_note(&self) -> Reply {
        let notes = self.notes.clone();
        std::future::poll_fn(move |cx| {
            use futures::Stream;
            std::pin::Pin::new(&mut *notes.borrow_mut()).poll_next(cx)
        })
        .await
        .unwrap_or_else(|| Err("the process worker went away".to_string()))
    }

    /// Connects this worker and `other` by a MessageChannel of their own.
    pub fn connect(&self, other: &Proc) -> Result<(), String> {
        connect_peers_js(&self.worker, self.index, &other.worker, other.index)
            .map_err(|e| crate::web::env::js_error_text(&e))
    }

    /// Ends the worker (its memory goes with it); jobs still in flight fail.
    pub fn terminate(&self) {
        self.worker.terminate();
        for (_, tx) in self.pending.borrow_mut().drain() {
            let _ = tx.send(Err("the process worker was ended".to_string()));
        }
    }

    /// A fresh job id and the receiver its reply will arrive on.
    fn expect_reply(&self) -> (u32, oneshot::Receiver<Reply>) {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1).max(1));
        let (tx, rx) = oneshot::channel();
        self.pending.borrow_mut().insert(id, tx);
        (id, rx)
    }

    /// Sends one job with a shared buffer and waits for its reply.
    pub async fn job_shared(&self, payload: &str, shared: &js_sys::SharedArrayBuffer) -> Reply {
        if let Some(why) = self.failed.borrow().clone() {
            return Err(why);
        }
        let (id, rx) = self.expect_reply();
        if let Err(e) = post_shared_js(&self.worker, id, payload, shared) {
            self.pending.borrow_mut().remove(&id);
            return Err(crate::web::env::js_error_text(&e));
        }
        rx.await
            .unwrap_or_else(|_| Err("the process worker went away".to_string()))
    }

    /// Sends one job and waits for its reply (without blocking the page); several may be in
    /// flight, each reply matched to its job by id.
    pub async fn job(&self, payload: &str) -> Reply {
        if let Some(why) = self.failed.borrow().clone() {
            return Err(why);
        }
        let (id, rx) = self.expect_reply();
        if let Err(e) = post_job_js(&self.worker, id, payload) {
            self.pending.borrow_mut().remove(&id);
            return Err(crate::web::env::js_error_text(&e));
        }
        rx.await
            .unwrap_or_else(|_| Err("the process worker went away".to_string()))
    }
}

thread_local! {
    static PROCS: RefCell<Vec<Rc<Proc>>> = const { RefCell::new(Vec::new()) };
}

/// Processes 0…k-1, started if missing and ready; also how long starting them took (0 when
/// they were warm): the start-up cost that a pool amortises.
pub async fn lease(k: u32, timeout_ms: f64) -> Result<(Vec<Rc<Proc>>, f64), String> {
    // A process that crashed in an earlier run is replaced by a fresh one now.
    replace_failed();
    let t0 = js_sys::Date::now();
    let mut started = false;
    loop {
        let have = PROCS.with(|p| p.borrow().len() as u32);
        if have >= k {
            break;
        }
        let proc = Rc::new(Proc::spawn(have)?);
        PROCS.with(|p| p.borrow_mut().push(proc));
        started = true;
    }
    let procs: Vec<Rc<Proc>> =
        PROCS.with(|p| p.borrow().iter().take(k as usize).cloned().collect());
    loop {
        if let Some(why) = procs.iter().find_map(|p| p.failed.borrow().clone()) {
            return Err(format!("a process worker could not start: {why}"));
        }
        if procs.iter().all(|p| p.ready.get()) {
            let spawn_ms = if started {
                js_sys::Date::now() - t0
            } else {
                0.0
            };
            return Ok((procs, spawn_ms));
        }
        if js_sys::Date::now() - t0 > timeout_ms {
            return Err(format!(
                "the process workers were not ready after {:.0} s",
                timeout_ms / 1000.0
            ));
        }
        gloo_timers::future::TimeoutFuture::new(5).await;
    }
}

/// A process that crashed is terminated and forgotten; the next lease starts a fresh one.
pub fn replace_failed() -> Vec<u32> {
    PROCS.with(|p| {
        let mut procs = p.borrow_mut();
        let dead: Vec<u32> = procs
            .iter()
            .filter(|x| x.failed.borrow().is_some())
            .map(|x| x.index)
            .collect();
        if let Some(first) = dead.first() {
            // Indexes are positions: drop the dead one and everything after it, and let
            // `lease` start them again in order.
            for x in procs.iter().skip(*first as usize) {
                x.worker.terminate();
            }
            procs.truncate(*first as usize);
        }
        dead
    })
}

/// How many process workers are started and ready.
pub fn ready_count() -> u32 {
    PROCS.with(|p| p.borrow().iter().filter(|x| x.ready.get()).count() as u32)
}
