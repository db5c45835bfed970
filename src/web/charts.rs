//! Small SVG charts: a Gantt timeline (one row per lane, one bar per span, colour by kind,
//! hover for details) and horizontal bars. Scales and ticks come from `engine::chart`.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::chart::{nice_ticks, LinearScale};
use crate::engine::trace::Span;

#[derive(Properties, PartialEq)]
pub struct GanttProps {
    pub spans: Rc<Vec<Span>>,
    /// Accessible name of the chart.
    pub title: AttrValue,
}

const ROW_H: f64 = 22.0;
const LABEL_W: f64 = 78.0;
const WIDTH: f64 = 760.0;
const AXIS_H: f64 = 24.0;

#[function_component(Gantt)]
pub fn gantt(props: &GanttProps) -> Html {
    let mut lanes: Vec<(u32, String)> = props
        .spans
        .iter()
        .map(|s| (s.worker, s.lane.clone()))
        .collect();
    lanes.sort();
    lanes.dedup();
    let end = props
        .spans
        .iter()
        .map(|s| s.end_ms)
        .fold(0.0, f64::max)
        .max(1.0);
    let x = LinearScale::new((0.0, end), (LABEL_W, WIDTH - 8.0));
    let height = lanes.len() as f64 * ROW_H + AXIS_H;
    let row_of = |worker: u32| lanes.iter().position(|(w, _)| *w == worker).unwrap_or(0) as f64;
    let ticks = nice_ticks(0.0, end, 6);
    html! {
        <svg class="gantt" viewBox={format!("0 0 {WIDTH} {height}")} role="img" aria-label={props.title.clone()}
             preserveAspectRatio="xMinYMin meet" data-rows={lanes.len().to_string()}>
            { for lanes.iter().enumerate().map(|(i, (_, lane))| html! {
                <g class="lane" data-lane={lane.clone()}>
                    <rect class="lane-bg" x={LABEL_W.to_string()} y={(i as f64 * ROW_H).to_string()}
                          width={(WIDTH - 8.0 - LABEL_W).to_string()} height={(ROW_H - 4.0).to_string()} />
                    <text class="lane-label" x="4" y={(i as f64 * ROW_H + ROW_H * 0.62).to_string()}>{ lane.clone() }</text>
                </g>
            }) }
            { for props.spans.iter().map(|s| {
                let x0 = x.map(s.start_ms);
                let w = (x.map(s.end_ms) - x0).max(0.6);
                let label = s.label.clone().unwrap_or_default();
                html! {
                    <rect class={classes!("span", format!("k-{}", s.kind.as_str()), (!label.is_empty()).then(|| format!("l-{label}")))}
                          x={format!("{x0:.2}")} y={format!("{:.1}", row_of(s.worker) * ROW_H + 2.0)}
                          width={format!("{w:.2}")} height={(ROW_H - 8.0).to_string()}
                          data-worker={s.worker.to_string()} data-kind={s.kind.as_str()}>
                        <title>{ format!("{} · {} · task {} · {:.2}–{:.2} ms ({:.2} ms){}", s.lane, s.kind.as_str(), s.task, s.start_ms, s.end_ms, s.end_ms - s.start_ms,
                            if label.is_empty() { String::new() } else { format!(" · {label}") }) }</title>
                    </rect>
                }
            }) }
            <g class="axis">
                { for ticks.iter().map(|v| {
                    let px = x.map(*v);
                    html! {
                        <g>
                            <line x1={format!("{px:.1}")} x2={format!("{px:.1}")} y1="0" y2={(height - AXIS_H + 4.0).to_string()} class="grid" />
                            <text x={format!("{px:.1}")} y={(height - 6.0).to_string()} text-anchor="middle">{ format!("{v} ms") }</text>
                        </g>
                    }
                }) }
            </g>
        </svg>
    }
}

#[derive(Properties, PartialEq)]
pub struct BarsProps {
    /// (label, value, text shown at the bar's end)
    pub bars: Vec<(String, f64, String)>,
    pub title: AttrValue,
}

#[function_component(Bars)]
pub fn bars(props: &BarsProps) -> Html {
    let max = props.bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-9);
    let x = LinearScale::new((0.0, max), (0.0, 100.0));
    html! {
        <div class="bars" role="list" aria-label={props.title.clone()}>
            { for props.bars.iter().map(|(label, v, text)| html! {
                <div class="bar-row" role="listitem">
                    <span class="bar-label">{ label.clone() }</span>
                    <span class="bar-track"><span class="bar-fill" style={format!("width:{:.1}%", x.map(*v))}></span></span>
                    <span class="bar-value">{ text.clone() }</span>
                </div>
            }) }
        </div>
    }
}
