//! The async engine on virtual time: exact instants, cancellation, primitives.

use std::cell::RefCell;
use std::rc::Rc;

use concurrency_playground::engine::aio::{timeout, Event, OnDrop, Queue, Rt, Semaphore, TimedOut};
use concurrency_playground::engine::trace::SpanKind;

#[test]
fn limit_k_over_n_one_second_tasks_takes_ceil_n_over_k_seconds() {
    for (n, k) in [(6usize, 2usize), (7, 3), (5, 1), (4, 8)] {
        let rt = Rt::new_virtual();
        let r = rt.clone();
        let total = rt
            .block_on(async move {
                let sem = Semaphore::new(&r, k);
                let hs: Vec<_> = (0..n)
                    .map(|i| {
                        let (r2, s) = (r.clone(), sem.clone());
                        r.spawn(format!("req-{i}"), async move {
                            let _p = s.acquire().await;
                            r2.io(1000.0, "request").await;
                        })
                    })
                    .collect();
                for h in hs {
                    h.await.ok();
                }
                assert!(sem.peak() <= k);
                r.now()
            })
            .expect("finishes");
        assert_eq!(total, 1000.0 * n.div_ceil(k) as f64, "n={n} k={k}");
        rt.shutdown();
    }
}

#[test]
fn cancelling_a_task_runs_its_cleanup_and_resolves_its_handle() {
    let rt = Rt::new_virtual();
    let r = rt.clone();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l2 = log.clone();
    rt.block_on(async move {
        let l3 = l2.clone();
        let r2 = r.clone();
        let h = r.spawn("victim", async move {
            let r3 = r2.clone();
            let _g = OnDrop::new(move || l3.borrow_mut().push(format!("cleanup at {}", r3.now())));
            r2.sleep(10_000.0).await;
        });
        r.sleep(250.0).await;
        h.abort();
        assert!(h.await.is_err());
        l2.borrow_mut().push(format!("awaited at {}", r.now()));
    })
    .expect("finishes");
    assert_eq!(*log.borrow(), vec!["cleanup at 250", "awaited at 250"]);
    assert_eq!(rt.alive(), 0);
}

#[test]
fn timeout_drops_the_slow_future_at_the_deadline() {
    let rt = Rt::new_virtual();
    let r = rt.clone();
    let out = rt
        .block_on(async move {
            let fast = timeout(&r, 100.0, r.sleep(40.0)).await;
            let t1 = r.now();
            let slow = timeout(&r, 100.0, r.sleep(400.0)).await;
            (fast, t1, slow, r.now())
        })
        .expect("finishes");
    assert_eq!(out, (Ok(()), 40.0, Err(TimedOut), 140.0));
}

#[test]
fn a_task_waiting_forever_is_reported_as_stalled() {
    let rt = Rt::new_virtual();
    let r = rt.clone();
    let err = rt
        .block_on(async move {
            let ev = Event::new(&r);
            ev.wait().await;
        })
        .expect_err("nothing can set the event");
    assert_eq!(err.waiting, vec!["main".to_string()]);
    rt.shutdown();
}

#[test]
fn bounded_queue_makes_the_producer_wait_and_join_waits_for_task_done() {
    let rt = Rt::new_virtual();
    let r = rt.clone();
    let (peak, t) = rt
        .block_on(async move {
            let q: Queue<u32> = Queue::new(&r, 2);
            let (q2, r2) = (q.clone(), r.clone());
            r.spawn("consumer", async move {
                loop {
                    let _item = q2.get().await;
                    r2.sleep(100.0).await;
                    q2.task_done();
                }
            });
            for i in 0..6 {
                q.put(i).await;
            }
            q.join().await;
            (q.peak(), r.now())
        })
        .expect("finishes");
    assert_eq!(peak, 2);
    assert_eq!(t, 600.0);
    let waits = rt
        .spans()
        .iter()
        .filter(|s| s.kind == SpanKind::QueueWait)
        .count();
    assert!(
        waits >= 3,
        "the producer waited on a full queue ({waits} waits)"
    );
    rt.shutdown();
}

#[test]
fn sleep_zero_lets_others_run_in_between() {
    let rt = Rt::new_virtual();
    let r = rt.clone();
    let order = Rc::new(RefCell::new(String::new()));
    let o = order.clone();
    rt.block_on(async move {
        let hs: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|name| {
                let (r2, o2) = (r.clone(), o.clone());
                r.spawn(name, async move {
                    for _ in 0..3 {
                        o2.borrow_mut().push_str(name);
                        r2.yield_now().await;
                    }
                })
            })
            .collect();
        for h in hs {
            h.await.ok();
        }
    })
    .expect("finishes");
    assert_eq!(*order.borrow(), "ababab");
}
