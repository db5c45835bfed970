//! What a run shows while it is in flight: each worker's state (demos that count their own
//! steps), or the newest log lines (demos on the event loop). Read on a timer, never blocking.

use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
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
        Vec<(f64, usize, crate::engine::runner::LiveState)>,
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
                        let t = if *since > 0.0 { since - l.2 } else { now - l.2 };
                        l.1.push((t.max(0.0), i, *st));
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
    let worker = |i: usize| tf(p.lang, "sync.worker-n", &[("n", i.to_string())]);
    html! {
        <section class="card live-states" id="live-states" aria-live="polite">
            <h3>{ t(p.lang, "sync.live") }</h3>
            <ul>
                { for live.0.iter().enumerate().map(|(i, (state, since))| {
                    let name = state.as_str();
                    let ms = if *since > 0.0 { (now - since).max(0.0) } else { 0.0 };
                    html! {
                        <li class={classes!("live", name)} data-state={name}>
                            { format!("{}: {} ", worker(i), t(p.lang, &format!("sync.state.{name}"))) }
                            <span class="t">{ format!("{ms:.0} ms") }</span>
                        </li>
                    }
                }) }
            </ul>
            <ol class="live-log" id="live-log">
                { for live.1.iter().map(|(ms, i, st)| html! {
                    <li>{ format!("{ms:>7.1} ms  {} → {}", worker(*i), t(p.lang, &format!("sync.state.{}", st.as_str()))) }</li>
                }) }
            </ol>
        </section>
    }
}

/// The run's newest log lines while it is in flight (read every 150 ms, never blocking).
#[function_component(LiveLog)]
pub fn live_log(p: &LiveProps) -> Html {
    let lines = use_state(|| (Vec::<String>::new(), 0usize));
    {
        let lines = lines.clone();
        use_effect_with((), move |_| {
            // Re-rendered only when a line came: renders take the page's thread, on which the
            // asyncio model is timed.
            let seen = std::cell::Cell::new(usize::MAX);
            let tick = gloo_timers::callback::Interval::new(150, move || {
                let now = crate::web::driver::live_log();
                if now.1 != seen.replace(now.1) {
                    lines.set(now);
                }
            });
            move || drop(tick)
        });
    }
    html! {
        <section class="card live-log" id="live-log" aria-live="polite">
            <h3>{ tf(p.lang, "async.live-log", &[("n", lines.1.to_string())]) }</h3>
            <ol>{ for lines.0.iter().map(|l| html! { <li>{ l.clone() }</li> }) }</ol>
        </section>
    }
}
