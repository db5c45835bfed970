//! Lab `sync`: synchronisation between real workers on shared memory. This build has the race
//! condition demo: knobs, scenario text, run, the counts per method, timeline, lesson, code.

use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::engine::labs::sync::SyncConfig;
use crate::engine::labs::{LabConfig, LabId};
use crate::engine::route::{Page, Route};
use crate::engine::scenario::Scenario;
use crate::engine::sync::race;
use crate::web::charts::Gantt;
use crate::web::labs::card::{self, CodePane, PresetSelect};
use crate::web::runs;
use crate::web::state::AppContext;
use crate::web::{env, pool};

/// The Python and the Rust a demo's card shows.
fn code_for(demo: &str) -> (&'static str, &'static str) {
    match demo {
        "barrier" => (
            include_str!("../../python/sync_barrier.py"),
            crate::engine::sync::barrier::RUST_EXCERPT,
        ),
        "deadlock" => (
            include_str!("../../python/sync_deadlock.py"),
            crate::engine::sync::deadlock::RUST_EXCERPT,
        ),
        "condition" => (
            include_str!("../../python/sync_condition.py"),
            crate::engine::sync::condition::RUST_EXCERPT,
        ),
        "queues" => (
            include_str!("../../python/sync_queues.py"),
            crate::engine::sync::queues::RUST_EXCERPT,
        ),
        "shared" => (
            include_str!("../../python/sync_shared.py"),
            crate::engine::sync::shared::RUST_EXCERPT,
        ),
        "rlock" | "event" | "life" => (
            match demo {
                "rlock" => include_str!("../../python/sync_rlock.py"),
                "event" => include_str!("../../python/sync_event.py"),
                _ => include_str!("../../python/sync_life.py"),
            },
            crate::engine::sync::primitives::RUST_EXCERPT,
        ),
        "semaphore" => (
            include_str!("../../python/sync_semaphore.py"),
            crate::engine::sync::semaphore::RUST_EXCERPT,
        ),
        _ => (
            include_str!("../../python/sync_race.py"),
            race::RUST_EXCERPT,
        ),
    }
}

#[function_component(SyncLab)]
pub fn sync_lab() -> Html {
    let Some(app) = use_context::<AppContext>() else {
        return html! {};
    };
    let lang = app.lang;
    let card::LabScenario {
        text,
        parsed,
        link_notice,
        set_text,
    } = card::use_lab_scenario(&app, LabId::Sync, "race");
    let on_preset = set_text.clone();
    // Knobs rewrite the scenario through the engine, so both views stay one scenario.
    let knob = |apply: fn(&mut Scenario, &str)| {
        let text = text.clone();
        let current = parsed.clone().ok();
        Callback::from(move |value: String| {
            if let Some(mut s) = current.clone() {
                apply(&mut s, &value);
                text.set(s.to_toml());
            }
        })
    };
    // A knob for one integer field of the demo's table, picked out by `field`.
    let u32_knob = |field: fn(&mut SyncConfig) -> Option<&mut u32>| {
        let text = text.clone();
        let current = parsed.clone().ok();
        Callback::from(move |value: String| {
            let Some(mut s) = current.clone() else { return };
            if let (LabConfig::Sync(c), Ok(n)) = (&mut s.config, value.trim().parse::<u32>()) {
                if let Some(f) = field(c) {
                    *f = n;
                }
            }
            text.set(s.to_toml());
        })
    };
    let on_workers = knob(|s, v| {
        if let Ok(n) = v.trim().parse::<u32>() {
            s.run.workers = n;
        }
    });
    let on_increments = knob(|s, v| {
        if let (LabConfig::Sync(SyncConfig::Race { increments, .. }), Ok(n)) =
            (&mut s.config, v.trim().parse::<u64>())
        {
            *increments = n;
        }
    });
    let on_connections = u32_knob(|c| match c {
        SyncConfig::Semaphore { connections, .. } => Some(connections),
        _ => None,
    });
    let on_requests = u32_knob(|c| match c {
        SyncConfig::Semaphore { requests, .. } => Some(requests),
        _ => None,
    });
    let on_hold = u32_knob(|c| match c {
        SyncConfig::Semaphore { hold_ms, .. } => Some(hold_ms),
        _ => None,
    });
    let on_phases = u32_knob(|c| match c {
        SyncConfig::Barrier { phases, .. } => Some(phases),
        _ => None,
    });
    let on_work = u32_knob(|c| match c {
        SyncConfig::Barrier { work_ms, .. } => Some(work_ms),
        _ => None,
    });
    let on_straggler = u32_knob(|c| match c {
        SyncConfig::Barrier { straggler_ms, .. } => Some(straggler_ms),
        _ => None,
    });
    let on_b_timeout = u32_knob(|c| match c {
        SyncConfig::Barrier { timeout_ms, .. } => Some(timeout_ms),
        _ => None,
    });
    let on_strategy = knob(|s, v| {
        use crate::engine::sync::deadlock::Strategy;
        if let LabConfig::Sync(SyncConfig::Deadlock { strategies, .. }) = &mut s.config {
            *strategies = match v {
                "opposite" => vec![Strategy::Opposite],
                "ordered" => vec![Strategy::Ordered],
                "timeout" => vec![Strategy::Timeout],
                _ => vec![Strategy::Opposite, Strategy::Ordered, Strategy::Timeout],
            };
        }
    });
    let on_dl_hold = u32_knob(|c| match c {
        SyncConfig::Deadlock { hold_ms, .. } => Some(hold_ms),
        _ => None,
    });
    let on_dl_timeout = u32_knob(|c| match c {
        SyncConfig::Deadlock { timeout_ms, .. } => Some(timeout_ms),
        _ => None,
    });
    let on_method = knob(|s, v| {
        if let LabConfig::Sync(SyncConfig::Race { methods, .. }) = &mut s.config {
            *methods = match v {
                "none" => vec![race::Method::None],
                "lock" => vec![race::Method::Lock],
                "atomic" => vec![race::Method::Atomic],
                _ => race::Method::ALL.to_vec(),
            };
        }
    });
    let threads_reason = env::threads_unavailable().map(|(key, _)| t(lang, key).to_string());
    let threads_ok =
        threads_reason.is_none() && !matches!(app.pool.state, pool::PoolState::Unavailable(_));
    let config = parsed.as_ref().ok().and_then(|s| match &s.config {
        LabConfig::Sync(c) => Some((s.run.workers, c.clone())),
        _ => None,
    });
    let demo = config.as_ref().map_or("race", |(_, c)| c.demo_id());
    let (python, rust) = code_for(demo);
    let value_of = |e: Event| {
        e.target_dyn_into::<web_sys::HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    };
    let report = app.last.clone().filter(|r| r.lab == "sync");
    let method_value = |m: &[race::Method]| if m.len() == 1 { m[0].as_str() } else { "all" };
    html! {
        <div class="lab lab-sync">
            <section class="card intro">
                <h2>{ t(lang, "sync.title") }</h2>
                <p>{ t(lang, &format!("sync.{demo}.what")) }</p>
                if let Some(notice) = link_notice.clone() {
                    <p class="notice" role="alert" id="link-error">{ notice }</p>
                }
                if let Some(reason) = threads_reason.clone() {
                    <p class="notice" role="alert" id="no-threads">{ tf(lang, "run.no-threads", &[("reason", reason)]) }</p>
                }
            </section>
            <div class="grid">
                <section class="card knobs" aria-label={t(lang, "knob.title")}>
                    <PresetSelect lang={lang} lab={LabId::Sync} text={(*text).clone()} on_pick={on_preset} />
                    if let Some((workers, c)) = config.clone() {
                        <label class="knob" for="k-workers"><span>{ t(lang, "knob.workers") }</span>
                            <input type="number" id="k-workers" min="1" max={env::worker_cap().to_string()} value={workers.to_string()}
                                onchange={on_workers.reform(value_of)} />
                        </label>
                        <card::KnobInputs lang={lang} knobs={crate::engine::labs::sync::knobs(demo)} table="sync"
                            normalized={parsed.as_ref().ok().map(|s| AttrValue::from(s.to_toml()))} on_text={set_text.clone()} />
                        { match c {
                            SyncConfig::Race { increments, methods } => html! {
                                <>
                                    <label class="knob" for="k-increments"><span>{ t(lang, "knob.increments") }</span>
                                        <input type="number" id="k-increments" min="1" max="20000000" value={increments.to_string()}
                                            onchange={on_increments.reform(value_of)} />
                                    </label>
                                    <label class="knob" for="k-method"><span>{ t(lang, "sync.method") }</span>
                                        <select id="k-method" onchange={on_method.reform(|e: Event| e.target_dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default())}>
                                            { for ["all", "none", "lock", "atomic"].into_iter().map(|m| html! {
                                                <option value={m} selected={method_value(&methods) == m}>{ m }</option>
                                            }) }
                                        </select>
                                    </label>
                                </>
                            },
                            SyncConfig::Barrier { phases, work_ms, straggler_ms, timeout_ms } => html! {
                                <>
                                    <label class="knob" for="k-phases"><span>{ t(lang, "knob.phases") }</span>
                                        <input type="number" id="k-phases" min="1" max="20" value={phases.to_string()} onchange={on_phases.reform(value_of)} />
                                    </label>
                                    <label class="knob" for="k-work"><span>{ t(lang, "knob.work") }</span>
                                        <input type="number" id="k-work" min="1" max="1000" value={work_ms.to_string()} onchange={on_work.reform(value_of)} />
                                    </label>
                                    <label class="knob" for="k-straggler"><span>{ t(lang, "knob.straggler") }</span>
                                        <input type="number" id="k-straggler" min="0" max="5000" value={straggler_ms.to_string()} onchange={on_straggler.reform(value_of)} />
                                    </label>
                                    <label class="knob" for="k-b-timeout"><span>{ t(lang, "knob.barrier-timeout") }</span>
                                        <input type="number" id="k-b-timeout" min="1" max="10000" value={timeout_ms.to_string()} onchange={on_b_timeout.reform(value_of)} />
                                    </label>
                                </>
                            },
                            SyncConfig::Deadlock { strategies, hold_ms, timeout_ms } => html! {
                                <>
                                    <label class="knob" for="k-strategy"><span>{ t(lang, "sync.strategy") }</span>
                                        <select id="k-strategy" onchange={on_strategy.reform(|e: Event| e.target_dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default())}>
                                            { for ["all", "opposite", "ordered", "timeout"].into_iter().map(|m| html! {
                                                <option value={m} selected={(strategies.len() == 3 && m == "all") || (strategies.len() == 1 && strategies[0].as_str() == m)}>{ m }</option>
                                            }) }
                                        </select>
                                    </label>
                                    <label class="knob" for="k-dl-hold"><span>{ t(lang, "knob.hold-locks") }</span>
                                        <input type="number" id="k-dl-hold" min="1" max="1000" value={hold_ms.to_string()} onchange={on_dl_hold.reform(value_of)} />
                                    </label>
                                    <label class="knob" for="k-dl-timeout"><span>{ t(lang, "knob.timeout") }</span>
                                        <input type="number" id="k-dl-timeout" min="1" max="1000" value={timeout_ms.to_string()} onchange={on_dl_timeout.reform(value_of)} />
                                    </label>
                                </>
                            },
                            SyncConfig::Condition { .. } | SyncConfig::Queues { .. } | SyncConfig::Rlock { .. }
                            | SyncConfig::Event { .. } | SyncConfig::Life { .. } | SyncConfig::Shared { .. } => html! {},
                            SyncConfig::Semaphore { connections, requests, hold_ms } => html! {
                                <>
                                    <label class="knob" for="k-connections"><span>{ t(lang, "knob.connections") }</span>
                                        <input type="number" id="k-connections" min="1" max="64" value={connections.to_string()} onchange={on_connections.reform(value_of)} />
                                    </label>
                                    <label class="knob" for="k-requests"><span>{ t(lang, "knob.requests") }</span>
                                        <input type="number" id="k-requests" min="1" max="100" value={requests.to_string()} onchange={on_requests.reform(value_of)} />
                                    </label>
                                    <label class="knob" for="k-hold"><span>{ t(lang, "knob.hold") }</span>
                                        <input type="number" id="k-hold" min="1" max="2000" value={hold_ms.to_string()} onchange={on_hold.reform(value_of)} />
                                    </label>
                                </>
                            },
                        } }
                    }
                </section>
                <card::ScenarioPanel lang={lang} text={(*text).clone()} error={parsed.as_ref().err().cloned()}
                    on_input={set_text.clone()} can_run={parsed.is_ok() && threads_ok} route={Route { page: Page::Lab(LabId::Sync), demo: Some(demo.to_string()), scenario: None, embed: false }} />
            </div>
            if app.running.as_ref().is_some_and(|(lab, _)| lab == "sync") {
                <LiveStates lang={lang} />
            }
            if let Some(r) = report { <SyncResults report={r} lang={lang} runs={app.finished} /> }
            if !app.route.embed {
                <CodePane lang={lang} python={python} rust={rust} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LiveProps {
    lang: Lang,
}

/// What each worker is doing right now, read every 100 ms from the snapshots the workers
/// publish (atomics; the page never takes a lock).
#[function_component(LiveStates)]
fn live_states(p: &LiveProps) -> Html {
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
struct RaceResultsProps {
    report: Rc<crate::engine::report::Report>,
    lang: Lang,
    runs: u32,
}

#[function_component(SyncResults)]
fn sync_results(p: &RaceResultsProps) -> Html {
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
