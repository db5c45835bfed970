//! Process workers on the page's side: isolated Web Workers (each its own wasm memory) started
//! lazily and reused; jobs go out as text and come back as text, like pickled arguments.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::runner::process_job;
use crate::web::clock::PerfClock;

/// Runs one job inside a process worker (called by `procs.js` there).
#[wasm_bindgen]
pub fn playground_process_job(payload: String) -> String {
    match process_job(&payload, &PerfClock) {
        Ok(r) => serde_json::to_string(&r).unwrap_or_default(),
        Err(e) => serde_json::json!({ "error": e }).to_string(),
    }
}

/// Runs the shared-memory demo's part inside a process worker: `payload` is
/// `{"workers", "n", "locked"}`; the buffer is the page's SharedArrayBuffer.
#[wasm_bindgen]
pub fn playground_process_shared(shared: js_sys::SharedArrayBuffer, payload: String) -> String {
    use crate::engine::clock::Clock;
    let job: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
    let workers = job["workers"].as_i64().unwrap_or(1) as i32;
    let n = job["n"].as_u64().unwrap_or(0).min(10_000_000) as u32;
    let locked = job["locked"].as_bool().unwrap_or(false);
    let cells = JsCells(js_sys::Int32Array::new(&shared));
    let t0 = PerfClock.now_ms();
    let ok = crate::engine::sync::shared::bump(&cells, workers, n, locked, 2_000_000_000);
    let t1 = PerfClock.now_ms();
    serde_json::json!({ "checksum": if ok { "1" } else { "0" }, "t0": t0, "t1": t1 }).to_string()
}

/// A SharedArrayBuffer's cells through JS `Atomics`.
struct JsCells(js_sys::Int32Array);

impl crate::engine::sync::shared::SharedCells for JsCells {
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

/// The page's view of a shared buffer (to read the counter after the run).
pub fn shared_cells(
    buffer: &js_sys::SharedArrayBuffer,
) -> impl crate::engine::sync::shared::SharedCells {
    JsCells(js_sys::Int32Array::new(buffer))
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
    pending: Rc<RefCell<Option<oneshot::Sender<Reply>>>>,
    next_id: Cell<u32>,
    _on_message: Closure<dyn FnMut(String, u32, String)>,
}

impl Proc {
    fn spawn(index: u32) -> Result<Proc, String> {
        let ready = Rc::new(Cell::new(false));
        let failed = Rc::new(RefCell::new(None));
        let pending: Rc<RefCell<Option<oneshot::Sender<Reply>>>> = Rc::new(RefCell::new(None));
        let (r, f, p) = (ready.clone(), failed.clone(), pending.clone());
        let on_message = Closure::<dyn FnMut(String, u32, String)>::new(
            move |kind: String, _id: u32, payload: String| {
                let answer = |reply: Reply| {
                    if let Some(tx) = p.borrow_mut().take() {
                        let _ = tx.send(reply);
                    }
                };
                match kind.as_str() {
                    "playground:proc-ready" => r.set(true),
                    "playground:proc-failed" => {
                        *f.borrow_mut() = Some(payload.clone());
                        answer(Err(payload));
                    }
                    "playground:proc-result" => answer(Ok(payload)),
                    "playground:proc-crashed" => {
                        *f.borrow_mut() = Some(payload.clone());
                        answer(Err(payload));
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

    /// Ends the worker (its memory goes with it).
    pub fn terminate(&self) {
        self.worker.terminate();
    }

    /// Sends one job with a shared buffer and waits for its reply.
    pub async fn job_shared(&self, payload: &str, shared: &js_sys::SharedArrayBuffer) -> Reply {
        if let Some(why) = self.failed.borrow().clone() {
            return Err(why);
        }
        let (tx, rx) = oneshot::channel();
        *self.pending.borrow_mut() = Some(tx);
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        post_shared_js(&self.worker, id, payload, shared)
            .map_err(|e| crate::web::env::js_error_text(&e))?;
        rx.await
            .unwrap_or_else(|_| Err("the process worker went away".to_string()))
    }

    /// Sends one job and waits for its reply (without blocking the page).
    pub async fn job(&self, payload: &str) -> Reply {
        if let Some(why) = self.failed.borrow().clone() {
            return Err(why);
        }
        let (tx, rx) = oneshot::channel();
        *self.pending.borrow_mut() = Some(tx);
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        post_job_js(&self.worker, id, payload).map_err(|e| crate::web::env::js_error_text(&e))?;
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
