//! The native ports behave as the browser's do: process workers keep their own state and see
//! only text, replies match their jobs when several are in flight, two connected processes
//! message each other without the page in between, and a shared buffer is really shared.

use std::cell::Cell;
use std::rc::Rc;

use concurrency_playground::engine::aio::Rt;
use concurrency_playground::engine::clock::Clock;
use concurrency_playground::engine::native::NativePorts;
use concurrency_playground::engine::ports::{peer, Ports, SharedCells};

thread_local! {
    /// Each "process" thread's own memory.
    static SEEN: Cell<u64> = const { Cell::new(0) };
}

/// A process entry for these tests: `echo:<x>` answers `<x>` after counting it in this
/// process's own memory; `send:<to>:<n>` sends n `count` messages to process `to`; `count`
/// counts and posts a note with the total at every third; `bump` adds 1 to shared cell 0.
fn entry(job: &str, shared: Option<&dyn SharedCells>, _: &dyn Clock) -> Result<String, String> {
    let mut parts = job.split(':');
    match parts.next() {
        Some("echo") => {
            SEEN.with(|s| s.set(s.get() + 1));
            Ok(format!(
                "{}#{}",
                parts.next().unwrap_or(""),
                SEEN.with(Cell::get)
            ))
        }
        Some("send") => {
            let to: u32 = parts.next().and_then(|x| x.parse().ok()).ok_or("to")?;
            let n: u32 = parts.next().and_then(|x| x.parse().ok()).ok_or("n")?;
            for _ in 0..n {
                peer::send(to, "count")?;
            }
            Ok("sent".into())
        }
        Some("count") => {
            SEEN.with(|s| s.set(s.get() + 1));
            let n = SEEN.with(Cell::get);
            Ok(if n.is_multiple_of(3) {
                format!("counted {n}")
            } else {
                String::new()
            })
        }
        Some("bump") => {
            let cells = shared.ok_or("no buffer")?;
            cells.add(0, 1);
            Ok(String::new())
        }
        _ => Err(format!("unknown job {job}")),
    }
}

fn ports() -> (Rt, Rc<NativePorts>) {
    let rt = Rt::new_virtual();
    let ports = NativePorts::new(&rt, 2, entry);
    (rt, ports)
}

#[test]
fn replies_match_their_jobs_with_several_in_flight_and_each_process_keeps_its_own_memory() {
    let (rt, ports) = ports();
    let out = rt
        .block_on(async move {
            let procs = ports.processes(2).await.map_err(|e| e.to_string())?;
            // Three jobs in flight on process 0 at once, one on process 1.
            let calls = [
                procs[0].call("echo:a".into()),
                procs[0].call("echo:b".into()),
                procs[1].call("echo:c".into()),
                procs[0].call("echo:d".into()),
            ];
            let mut answers = Vec::new();
            for c in calls {
                answers.push(c.await?);
            }
            Ok::<_, String>(answers)
        })
        .expect("not stalled");
    assert_eq!(
        out,
        Ok(vec!["a#1".into(), "b#2".into(), "c#1".into(), "d#3".into()])
    );
}

#[test]
fn connected_processes_message_each_other_without_the_page() {
    let (rt, ports) = ports();
    let out = rt
        .block_on(async move {
            let procs = ports.processes(2).await.map_err(|e| e.to_string())?;
            // Not connected yet: the send fails inside the process, and says why.
            let refused = procs[0].call("send:1:1".into()).await;
            ports
                .connect(&procs[0], &procs[1])
                .map_err(|e| e.to_string())?;
            let sent = procs[0].call("send:1:6".into()).await?;
            let first = procs[1].next_note().await?;
            let second = procs[1].next_note().await?;
            Ok::<_, String>((refused, sent, first, second))
        })
        .expect("not stalled");
    let (refused, sent, first, second) = out.expect("ran");
    assert!(refused.is_err_and(|e| e.contains("not connected")));
    assert_eq!(sent, "sent");
    assert_eq!(
        (first.as_str(), second.as_str()),
        ("counted 3", "counted 6")
    );
}

#[test]
fn a_shared_buffer_is_the_one_memory_processes_share() {
    let (rt, ports) = ports();
    let buffer = ports.shared_buffer(4).expect("native buffers always exist");
    let b2 = buffer.clone();
    rt.block_on(async move {
        let procs = ports.processes(2).await.expect("processes");
        for p in &procs {
            for _ in 0..5 {
                p.call_shared("bump".into(), &b2).await.expect("bumped");
            }
        }
    })
    .expect("not stalled");
    assert_eq!(buffer.load(0), 10);
}
