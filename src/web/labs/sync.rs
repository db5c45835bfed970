//! Lab `sync`'s views (its page is `demo_lab`): each worker's live state during a run, and the
//! results — per-method counts, the semaphore's peak, barrier phases, the deadlock's table and
//! wait-for graph, numbers and series, the timeline and the log.

use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::web::charts::Gantt;
use crate::web::runs;

#[derive(Properties, PartialEq)]
pub struct LiveProps {
    pub lang: Lang,
}

/// What each worker is doing right now, read every 100 ms from the snapshots the workers
/// publish (atomics; the page never takes a lock).
#[function_component(LiveStates)]
pub fn live_states(p: &LiveProps) -> Html {
    // (states now, a live log of the changes seen between two snapshots, the first snapshot's time)
    type Live = (
        Vec<(crate::engine::runner::LiveState, f64)>,
        Vec<String>,
        f64,
    );
    let live = use_state(|| (Vec::new(), Vec::new(), 0.0) as Live);
    {
        let live = live.clone();
        use_effect_with((), move |_| {
            let last: std::rc::Rc<std::cell::RefCell<Live>> = Default::default();
            let tick = gloo_timers::callback::Interval::new(100, move || {
                let now_states = runs::live_states().unwrap_or_default();
                let now = crate::web::clock::now();
                let mut l = last.borrow_mut();
                if l.2 == 0.0 {
                    l.2 = now;
                }
                for (i, (st, since)) in now_states.iter().enumerate() {
                    if l.0.get(i).map(|x| x.0) != Some(*st) {
                        let name = serde_json::to_value(st)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default();
                        let t = if *since > 0.0 { since - l.2 } else { now - l.2 };
                        l.1.push(format!("{:>7.1} ms  worker {i} → {name}", t.max(0.0)));
                    }
                }
                let extra = l.1.len().saturating_sub(12);
                l.1.drain(..extra);
                l.0 = now_states;
                live.set(l.clone());
            });
            move || drop(tick)
        });
    }
    if live.0.is_empty() {
        return html! {};
    }
    let now = crate::web::clock::now();
    html! {
        <section class="card live-states" id="live-states" aria-live="polite">
            <h3>{ t(p.lang, "sync.live") }</h3>
            <ul>
                { for live.0.iter().enumerate().map(|(i, (state, since))| {
                    let name = serde_json::to_value(state).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                    let ms = if *since > 0.0 { (now - since).max(0.0) } else { 0.0 };
                    html! {
                        <li class={classes!("live", name.clone())} data-state={name.clone()}>
                            { format!("worker {i}: {} ", t(p.lang, &format!("sync.state.{name}"))) }
                            <span class="t">{ format!("{ms:.0} ms") }</span>
                        </li>
                    }
                }) }
            </ul>
            <ol class="live-log" id="live-log">{ for live.1.iter().map(|l| html! { <li>{ l.clone() }</li> }) }</ol>
        </section>
    }
}

/// The deadlock's wait-for graph: workers and locks as nodes, "holds" and "wants" as arrows.
fn wait_for_graph(cycle: &[Value], lang: Lang) -> Html {
    if cycle.is_empty() {
        return html! {};
    }
    let cell = |v: &Value, k: &str| {
        v.get(k)
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .unwrap_or_default()
    };
    // Workers on the left, locks on the right.
    let mut locks: Vec<String> = cycle
        .iter()
        .flat_map(|e| [cell(e, "holds"), cell(e, "wants")])
        .collect();
    locks.sort();
    locks.dedup();
    let wy = |i: usize| 40.0 + i as f64 * 70.0;
    let ly = |name: &str| 40.0 + locks.iter().position(|l| l == name).unwrap_or(0) as f64 * 70.0;
    let height = (cycle.len().max(locks.len()) as f64) * 70.0 + 20.0;
    html! {
        <figure class="wait-for">
            <svg viewBox={format!("0 0 420 {height}")} role="img" aria-label={t(lang, "sync.graph")} id="wait-for-graph">
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" />
                    </marker>
                </defs>
                { for cycle.iter().enumerate().map(|(i, e)| {
                    let (h, w) = (cell(e, "holds"), cell(e, "wants"));
                    html! {
                        <g class="edge-pair" data-worker={cell(e, "worker")}>
                            <line class="holds" x1="300" y1={ly(&h).to_string()} x2="118" y2={(wy(i) - 6.0).to_string()} marker-end="url(#arrow)" />
                            <line class="wants" x1="118" y1={(wy(i) + 6.0).to_string()} x2="300" y2={ly(&w).to_string()} marker-end="url(#arrow)" />
                            <rect class="node worker" x="20" y={(wy(i) - 16.0).to_string()} width="96" height="32" rx="6" />
                            <text x="68" y={(wy(i) + 5.0).to_string()} text-anchor="middle">{ format!("worker {}", cell(e, "worker")) }</text>
                        </g>
                    }
                }) }
                { for locks.iter().map(|l| html! {
                    <g class="lock-node">
                        <circle class="node lock" cx="330" cy={ly(l).to_string()} r="24" />
                        <text x="330" y={(ly(l) + 5.0).to_string()} text-anchor="middle">{ format!("lock {l}") }</text>
                    </g>
                }) }
            </svg>
            <figcaption class="legend"><span class="key holds">{ "holds" }</span><span class="key wants">{ "wants" }</span></figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct RaceResultsProps {
    pub report: Rc<crate::engine::report::Report>,
    pub lang: Lang,
    pub runs: u32,
}

#[function_component(SyncResults)]
pub fn sync_results(p: &RaceResultsProps) -> Html {
    let lang = p.lang;
    let r = &p.report.result;
    let lesson = crate::web::labs::cpu_results::lesson_text(r, lang);
    let rows = r
        .get("methods")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let semaphore = p.report.demo == "semaphore";
    let deadlock = p.report.demo == "deadlock";
    let barrier = p.report.demo == "barrier";
    let phases = r
        .get("phases")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let broken = r
        .get("broken_waits")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let strategies = r
        .get("strategies")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let num = |k: &str| r.get(k).map(|v| v.to_string()).unwrap_or_default();
    let cell = |m: &Value, k: &str| {
        m.get(k)
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .unwrap_or_default()
    };
    html! {
        <section class="card results" id="results" data-runs={p.runs.to_string()} aria-live="polite">
            <h2>{ t(lang, "result.title") }</h2>
            if let Some(text) = lesson { <p class="lesson" id="lesson"><strong>{ t(lang, "result.lesson") }{ ": " }</strong>{ text }</p> }
            if barrier {
                <table class="points" id="barrier-table">
                    <thead><tr><th>{ t(lang, "sync.phase") }</th><th>{ t(lang, "sync.first-start") }</th><th>{ t(lang, "sync.last-end") }</th></tr></thead>
                    <tbody>
                        { for phases.iter().map(|ph| html! {
                            <tr data-phase={cell(ph, "phase")}>
                                <td>{ cell(ph, "phase") }</td><td>{ format!("{} ms", cell(ph, "first_start_ms")) }</td><td>{ format!("{} ms", cell(ph, "last_end_ms")) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if !broken.is_empty() {
                    <ul class="broken" id="broken-waits">
                        { for broken.iter().map(|b| html! { <li>{ format!("worker {} · phase {} · {}", cell(b, "worker"), cell(b, "phase"), cell(b, "error")) }</li> }) }
                    </ul>
                }
            } else if deadlock {
                <table class="points" id="deadlock-table">
                    <thead><tr>
                        <th>{ t(lang, "sync.strategy") }</th><th>{ t(lang, "sync.deadlocked") }</th><th>{ t(lang, "sync.completed") }</th>
                        <th>{ t(lang, "sync.retries") }</th><th>{ t(lang, "result.wall") }</th><th>{ t(lang, "sync.cycle") }</th>
                    </tr></thead>
                    <tbody>
                        { for strategies.iter().map(|o| html! {
                            <tr data-strategy={cell(o, "strategy")}>
                                <td>{ cell(o, "strategy") }</td>
                                <td class={classes!(o.get("deadlock_detected").and_then(Value::as_bool).unwrap_or(false).then_some("bad"))}>
                                    { if o.get("deadlock_detected").and_then(Value::as_bool).unwrap_or(false) { t(lang, "common.yes") } else { t(lang, "common.no") } }
                                </td>
                                <td>{ format!("{} / 2", cell(o, "completed")) }</td>
                                <td>{ cell(o, "retries") }</td>
                                <td>{ format!("{} ms", cell(o, "wall_ms")) }</td>
                                <td class="cycle">{ o.get("cycle").and_then(Value::as_array).map(|c| c.iter().map(|e| format!("worker {} holds {} → wants {}", cell(e, "worker"), cell(e, "holds"), cell(e, "wants"))).collect::<Vec<_>>().join("; ")).unwrap_or_default() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                { wait_for_graph(strategies.first().and_then(|o| o.get("cycle")).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]), lang) }
            } else if r.get("numbers").is_some() {
                <dl class="figures" id="numbers">
                    { for r["numbers"].as_array().cloned().unwrap_or_default().iter().map(|n| {
                        let label = n.get("label").and_then(Value::as_str).unwrap_or("").to_string();
                        html! { <><dt>{ t(lang, &label) }</dt><dd data-key={label.clone()}>{ n.get("value").and_then(Value::as_str).unwrap_or("").to_string() }</dd></> }
                    }) }
                </dl>
                if let Some(series) = r.get("series").and_then(Value::as_array).filter(|s| !s.is_empty()) {
                    <crate::web::charts::LineChart
                        series={series.iter().map(|s| crate::web::charts::SeriesData {
                            name: t(lang, s.get("label").and_then(Value::as_str).unwrap_or("")).to_string(),
                            class: "measured",
                            points: s.get("points").and_then(Value::as_array).map(|p| p.iter().filter_map(|q| Some((q.get(0)?.as_f64()?, q.get(1)?.as_f64()?))).collect()).unwrap_or_default(),
                            markers: false,
                        }).collect::<Vec<_>>()}
                        title={t(lang, "sync.buffer-fill")} x_label={t(lang, "async.time-ms")} y_label={t(lang, "sync.buffer-fill")}
                        id={Some(AttrValue::from("sync-series"))} />
                }
                if let Some(orders) = r.get("orders") {
                    <table class="points" id="queue-orders">
                        <thead><tr><th>{ "queue" }</th><th>{ "get() order of items put as 0 … 8" }</th></tr></thead>
                        <tbody>
                            { for ["fifo", "lifo", "priority"].into_iter().map(|k| html! {
                                <tr data-kind={k}><td>{ k }</td><td>{ orders.get(k).map(|v| v.to_string()).unwrap_or_default() }</td></tr>
                            }) }
                            <tr><td>{ "priorities" }</td><td>{ orders.get("priorities").map(|v| v.to_string()).unwrap_or_default() }</td></tr>
                        </tbody>
                    </table>
                }
            } else if semaphore {
                <dl class="figures">
                    <dt>{ t(lang, "sync.max-inside") }</dt><dd id="r-max-inside">{ format!("{} / {}", num("max_inside"), num("connections")) }</dd>
                    <dt>{ t(lang, "result.wall") }</dt><dd>{ format!("{} ms", num("wall_ms")) }</dd>
                    <dt>{ t(lang, "sync.waited") }</dt><dd>{ format!("{} ms", num("total_wait_ms")) }</dd>
                    <dt>{ t(lang, "sync.over-release") }</dt><dd id="r-over-release">{ r.get("over_release_error").and_then(Value::as_str).unwrap_or("—").to_string() }</dd>
                </dl>
            } else {
            <table class="points" id="race-table">
                <thead><tr>
                    <th>{ t(lang, "sync.method") }</th><th>{ t(lang, "sync.expected") }</th><th>{ t(lang, "sync.actual") }</th>
                    <th>{ t(lang, "sync.lost") }</th><th>{ t(lang, "sync.ns") }</th><th>{ t(lang, "sync.overlap") }</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|m| html! {
                        <tr data-method={cell(m, "method")}>
                            <td>{ cell(m, "method") }</td><td>{ cell(m, "expected") }</td><td>{ cell(m, "actual") }</td>
                            <td class={classes!((cell(m, "lost_updates") != "0").then_some("bad"))}>{ cell(m, "lost_updates") }</td>
                            <td>{ cell(m, "ns_per_increment") }</td>
                            <td>{ if m.get("overlapped").and_then(Value::as_bool).unwrap_or(false) { t(lang, "common.yes") } else { t(lang, "common.no") } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            }
            <p class="hint">{ tf(lang, "result.timer-note", &[("res", p.report.timer_resolution_ms.to_string()), ("coi", if p.report.cross_origin_isolated { t(lang, "common.yes") } else { t(lang, "common.no") }.to_string())]) }</p>
            <h3>{ t(lang, "result.timeline") }</h3>
            <Gantt spans={Rc::new(p.report.spans.clone())} title={t(lang, "result.timeline")} />
            if !p.report.events.is_empty() {
                <details class="log" open={p.report.events.len() <= 20}>
                    <summary>{ tf(lang, "async.log", &[("n", p.report.events.len().to_string())]) }</summary>
                    <ol id="log">
                        { for p.report.events.iter().take(300).map(|e| html! { <li><span class="t">{ format!("{:>8.1} ms", e.t_ms) }</span>{ " " }{ e.text.clone() }</li> }) }
                    </ol>
                </details>
            }
        </section>
    }
}
