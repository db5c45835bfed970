//! Demo `actors`: tasks that own their state and are reached only through a mailbox. A counter
//! actor takes `Add` and `Get` (request/reply); a printer actor prints. Many clients send
//! increments concurrently — no lock anywhere, yet no update is lost, because only the actor
//! ever touches the count.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
};
use crate::engine::aio::{Event, Queue, Rt};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::params! {
    pub struct Config {
        clients: u32 = Param::int(1, 50, 4).label("knob.async.actors-clients").help("help.async.actors.clients").knob(1.0),
        messages: u32 = Param::int(1, 1_000, 5).label("knob.async.actors-messages").help("help.async.actors.messages").knob(1.0),
        handle_ms: u32 = Param::int(0, 1_000, 5).unit("ms").label("knob.async.actors-handle-ms").help("help.async.actors.handle-ms").knob(1.0),
        print_ms: u32 = Param::int(0, 1_000, 2).unit("ms").label("knob.async.actors-print-ms").help("help.async.actors.print-ms").knob(1.0),
        send_ms: u32 = Param::int(0, 1_000, 10).unit("ms").label("knob.async.actors-send-ms").help("help.async.actors.send-ms").knob(1.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "actors",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "actors",
        title: "Actors: a counter and a printer, reached only through their mailboxes",
        run: "",
        table: "clients = 4     # client tasks\nmessages = 5    # each sends Add(1) this many times ...\nsend_ms = 10    # ... with a 10 ms pause between sends\nhandle_ms = 5   # the counter takes 5 ms per message\nprint_ms = 2    # the printer takes 2 ms per line\n",
    }],
    python: include_str!("../../../python/async_actors.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/actors.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

// excerpt:start
/// A one-shot reply channel: the asker awaits, the actor answers once.
#[derive(Clone)]
struct Reply {
    value: Rc<RefCell<Option<u64>>>,
    ready: Event,
}

impl Reply {
    fn new(rt: &Rt) -> Self {
        Reply {
            value: Rc::new(RefCell::new(None)),
            ready: Event::new(rt),
        }
    }
    fn send(&self, v: u64) {
        *self.value.borrow_mut() = Some(v);
        self.ready.set();
    }
    async fn recv(&self) -> u64 {
        self.ready.wait().await;
        self.value.borrow().unwrap_or(0)
    }
}

enum CounterMsg {
    Add(u64),
    Get(Reply),
    Stop,
}

/// The counter actor: its state is a local variable; messages are its only way in.
async fn counter(rt: Rt, mailbox: Queue<CounterMsg>, handle_ms: f64) -> (u64, u32) {
    let mut count = 0u64;
    let mut handled = 0u32;
    loop {
        let msg = mailbox.get().await;
        handled += 1;
        rt.io(
            handle_ms,
            Label::said(TEXT, "async.actors.span.handle", &[]),
        )
        .await;
        match msg {
            CounterMsg::Add(n) => count += n,
            CounterMsg::Get(reply) => reply.send(count),
            CounterMsg::Stop => return (count, handled),
        }
    }
}

/// What the printer reads: a line to print (a client and the count it saw), or the message
/// that ends it.
enum PrinterMsg {
    Print { client: u32, count: u64 },
    Stop,
}

/// The printer actor: prints lines in the order they arrive.
async fn printer(rt: Rt, mailbox: Queue<PrinterMsg>, print_ms: f64) -> u32 {
    let mut printed = 0;
    while let PrinterMsg::Print { client, count } = mailbox.get().await {
        rt.io(print_ms, Label::said(TEXT, "async.actors.span.print", &[]))
            .await;
        let line = [("client", client.to_string()), ("count", count.to_string())];
        rt.say("log.async.actors.printed", &line);
        printed += 1;
    }
    printed
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let t0 = rt.now();
    let counter_box: Queue<CounterMsg> = Queue::new(&rt, 0);
    let printer_box: Queue<PrinterMsg> = Queue::new(&rt, 0);
    let counter_task = rt.spawn(
        "counter-actor",
        counter(rt.clone(), counter_box.clone(), f64::from(cfg.handle_ms)),
    );
    let printer_task = rt.spawn(
        "printer-actor",
        printer(rt.clone(), printer_box.clone(), f64::from(cfg.print_ms)),
    );
    let clients: Vec<_> = (0..cfg.clients)
        .map(|c| {
            let (r, cb, pb) = (rt.clone(), counter_box.clone(), printer_box.clone());
            let (messages, send) = (cfg.messages, f64::from(cfg.send_ms));
            rt.spawn(format!("client-{c}"), async move {
                for _ in 0..messages {
                    let _ = cb.try_put(CounterMsg::Add(1));
                    r.sleep(send).await;
                }
                let reply = Reply::new(&r);
                let _ = cb.try_put(CounterMsg::Get(reply.clone()));
                let seen = reply.recv().await;
                let _ = pb.try_put(PrinterMsg::Print {
                    client: c,
                    count: seen,
                });
                seen
            })
        })
        .collect();
    let mut seen = Vec::new();
    for h in clients {
        seen.push(h.await.unwrap_or(0));
    }
    let reply = Reply::new(&rt);
    let _ = counter_box.try_put(CounterMsg::Get(reply.clone()));
    let total = reply.recv().await;
    let _ = counter_box.try_put(CounterMsg::Stop);
    let _ = printer_box.try_put(PrinterMsg::Stop);
    let (final_count, handled) = counter_task.await.unwrap_or((0, 0));
    let printed = printer_task.await.unwrap_or(0);
    // excerpt:end
    let total_ms = rt.now() - t0;
    let expected = u64::from(cfg.clients) * u64::from(cfg.messages);
    let peak = counter_box.peak();
    Ok(DemoResult::new(Facts {
        final_count: total,
        count_at_stop: final_count,
        expected,
        counter_handled: handled,
        printer_printed: printed,
        mailbox_peak: peak,
        client_views: seen,
        total_ms,
    })
    .numbers(vec![
        number("async.actors-count", format!("{total} / {expected}")),
        number("async.actors-handled", handled),
        number("async.actors-peak", peak),
        number("async.actors-total", format!("{} ms", ms(total_ms))),
    ])
    .lesson(lesson(
        "lesson.async.actors",
        &[
            ("clients", cfg.clients.to_string()),
            ("messages", cfg.messages.to_string()),
            ("count", total.to_string()),
            ("expected", expected.to_string()),
            ("handled", handled.to_string()),
            ("peak", peak.to_string()),
            ("total", ms(total_ms)),
        ],
    )))
}

/// The demo's facts (docs/api.md, `actors`).
#[derive(Debug, Serialize)]
pub struct Facts {
    /// What a last `Get` read once every client was done.
    pub final_count: u64,
    /// The count when the actor stopped.
    pub count_at_stop: u64,
    pub expected: u64,
    pub counter_handled: u32,
    pub printer_printed: u32,
    pub mailbox_peak: usize,
    /// The count each client's own `Get` saw.
    pub client_views: Vec<u64>,
    pub total_ms: f64,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.actors", "Actors: a counter and a printer, reached only through their mailboxes", "`actor`：一个计数器和一个打印器，只能通过各自的邮箱联系"),
    ("log.async.actors.printed", "printer: client-{client} sees count = {count}", "打印器：`client-{client}` 看到的计数 = {count}"),
    ("async.actors.what", "An actor is a task that owns its state and reads messages from its mailbox one at a time. Clients never touch the count: they send Add and Get messages, and Get carries a reply channel. One reader of the state means no lock and no lost update.", "`actor` 是一个拥有自己状态、逐条读取邮箱消息的任务。客户端从不直接碰计数：它们发送 `Add` 和 `Get` 消息，`Get` 带着一个回复通道。状态只有一个读者，所以不需要锁，也不会丢失更新。"),
    ("async.actors-count", "Final count / expected", "最终计数 / 期望值"),
    ("async.actors-handled", "Messages the counter handled", "计数器处理的消息数"),
    ("async.actors-peak", "Most messages waiting in its mailbox", "邮箱中等待消息的峰值"),
    ("async.actors-total", "All done after", "全部完成用时"),
    ("knob.async.actors-clients", "Clients", "客户端数"),
    ("knob.async.actors-messages", "Add messages per client", "每个客户端发送的 `Add` 消息数"),
    ("knob.async.actors-handle-ms", "Counter handles a message (ms)", "计数器处理一条消息（毫秒）"),
    ("knob.async.actors-print-ms", "Printer prints a line (ms)", "打印器打印一行（毫秒）"),
    ("knob.async.actors-send-ms", "Pause between sends (ms)", "发送间隔（毫秒）"),
    ("lesson.async.actors", "{clients} clients sent {messages} increments each: the counter reads {count} of {expected}, with no lock — only the actor ever touched the count. It handled {handled} messages one at a time (at most {peak} waited in its mailbox), {total} ms in all.", "{clients} 个客户端各发送 {messages} 次自增：计数器的值是 {count}（期望 {expected}），而且没用锁——只有 `actor` 碰过计数。它逐条处理了 {handled} 条消息（邮箱里最多有 {peak} 条在等待），共 {total} 毫秒。"),
    ("help.async.actors.clients", "Client tasks sending to the counter actor", "向计数器 `actor` 发送消息的客户端任务数"),
    ("help.async.actors.messages", "`Add` messages per client", "每个客户端发送的 `Add` 消息数"),
    ("help.async.actors.handle-ms", "The counter actor's time per message", "计数器 `actor` 处理每条消息的时长"),
    ("help.async.actors.print-ms", "The printer actor's time per line", "打印器 `actor` 打印每一行的时长"),
    ("help.async.actors.send-ms", "Pause between a client's sends", "客户端两次发送之间的停顿"),
    ("async.actors.span.handle", "handle", "处理"),
    ("async.actors.span.print", "print", "打印"),
];
