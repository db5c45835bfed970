//! Small SVG charts: a Gantt timeline (one row per lane, one bar per span, colour by kind,
//! hover for details) and horizontal bars. Scales and ticks come from `engine::chart`.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::chart::{nice_ticks, LinearScale};
use crate::engine::i18n::{t, tf, Lang};
use crate::engine::trace::lane_name;
use crate::engine::trace::Span;

#[derive(Properties, PartialEq)]
pub struct GanttProps {
    pub spans: Rc<Vec<Span>>,
    /// Accessible name of the chart.
    pub title: AttrValue,
    pub lang: Lang,
}

const ROW_H: f64 = 22.0;
/// The narrowest lane-label column; longer labels widen it (up to `MAX_LABEL_W`).
const LABEL_W: f64 = 78.0;
const MAX_LABEL_W: f64 = 220.0;
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
    let lang = props.lang;
    let names: Vec<String> = lanes.iter().map(|(_, l)| lane_name(lang, l)).collect();
    let longest = names.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let label_w = (longest as f64 * 7.0 + 10.0).clamp(LABEL_W, MAX_LABEL_W);
    let x = LinearScale::new((0.0, end), (label_w, WIDTH - 8.0));
    let height = lanes.len() as f64 * ROW_H + AXIS_H;
    let row_of = |worker: u32| lanes.iter().position(|(w, _)| *w == worker).unwrap_or(0) as f64;
    let ticks = nice_ticks(0.0, end, 6);
    let kinds = crate::engine::trace::legend(&props.spans, lang);
    html! {
        <figure class="gantt-figure">
        <svg class="gantt" viewBox={format!("0 0 {WIDTH} {height}")} role="img" aria-label={props.title.clone()}
             preserveAspectRatio="xMinYMin meet" data-rows={lanes.len().to_string()}>
            { for lanes.iter().enumerate().map(|(i, (_, lane))| html! {
                <g class="lane" data-lane={lane.clone()}>
                    <rect class="lane-bg" x={label_w.to_string()} y={(i as f64 * ROW_H).to_string()}
                          width={(WIDTH - 8.0 - label_w).to_string()} height={(ROW_H - 4.0).to_string()} />
                    <text class="lane-label" x="4" y={(i as f64 * ROW_H + ROW_H * 0.62).to_string()}>{ names[i].clone() }</text>
                </g>
            }) }
            { for props.spans.iter().map(|s| {
                let x0 = x.map(s.start_ms);
                let w = (x.map(s.end_ms) - x0).max(0.6);
                let label = s.label.clone().unwrap_or_default();
                // The tooltip says the label in the reader's language when it is words.
                let said = s.words.as_ref().map_or_else(|| label.clone(), |w| w.in_lang(lang));
                html! {
                    <rect class={classes!("span", format!("k-{}", s.kind.as_str()), (!label.is_empty()).then(|| format!("l-{label}")))}
                          x={format!("{x0:.2}")} y={format!("{:.1}", row_of(s.worker) * ROW_H + 2.0)}
                          width={format!("{w:.2}")} height={(ROW_H - 8.0).to_string()}
                          data-worker={s.worker.to_string()} data-kind={s.kind.as_str()}>
                        <title>{ tf(lang, "span.tooltip", &[
                            ("lane", lane_name(lang, &s.lane)), ("kind", t(lang, &format!("span.{}", s.kind.as_str())).to_string()),
                            ("task", s.task.to_string()), ("start", format!("{:.2}", s.start_ms)), ("end", format!("{:.2}", s.end_ms)),
                            ("ms", format!("{:.2}", s.end_ms - s.start_ms)),
                        ]) }{ if said.is_empty() { String::new() } else { format!(" · {said}") } }</title>
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
        <figcaption class="legend gantt-legend">
            { for kinds.iter().map(|(class, name)| html! {
                <span class="key"><svg width="14" height="10" aria-hidden="true"><rect class={class.clone()} width="14" height="10" /></svg>{ format!(" {name}") }</span>
            }) }
        </figcaption>
        </figure>
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

/// One line of a `LineChart`.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesData {
    pub name: String,
    /// CSS class: colour and dash come from the stylesheet.
    pub class: &'static str,
    pub points: Vec<(f64, f64)>,
    /// Draw a hoverable marker at each point (measured data) or only the line (models).
    pub markers: bool,
}

#[derive(Properties, PartialEq)]
pub struct LineChartProps {
    pub series: Vec<SeriesData>,
    pub title: AttrValue,
    pub x_label: AttrValue,
    pub y_label: AttrValue,
    /// Vertical markers: (x, label), e.g. the core count.
    #[prop_or_default]
    pub vlines: Vec<(f64, String)>,
    #[prop_or_default]
    pub id: Option<AttrValue>,
}

const LC_W: f64 = 640.0;
const LC_H: f64 = 300.0;
const LC_L: f64 = 48.0;
const LC_R: f64 = 16.0;
const LC_T: f64 = 12.0;
const LC_B: f64 = 40.0;

/// An x/y chart: axes with nice ticks, one polyline per series, markers with hover text.
#[function_component(LineChart)]
pub fn line_chart(p: &LineChartProps) -> Html {
    let all = p.series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    for (x, y) in all {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y1 = y1.max(*y);
    }
    if !x0.is_finite() {
        return html! {};
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let y1 = (y1 * 1.08).max(1.0);
    let x = LinearScale::new((x0, x1), (LC_L, LC_W - LC_R));
    let y = LinearScale::new((0.0, y1), (LC_H - LC_B, LC_T));
    let xt: Vec<f64> = nice_ticks(x0, x1, 8)
        .into_iter()
        .filter(|v| v.fract() == 0.0 || x1 - x0 < 4.0)
        .collect();
    let yt = nice_ticks(0.0, y1, 5);
    html! {
        <figure class="line-chart">
            <svg viewBox={format!("0 0 {LC_W} {LC_H}")} role="img" aria-label={p.title.clone()} id={p.id.clone()}>
                <g class="axis y">
                    { for yt.iter().map(|v| html! {
                        <g>
                            <line class="grid" x1={LC_L.to_string()} x2={(LC_W - LC_R).to_string()} y1={format!("{:.1}", y.map(*v))} y2={format!("{:.1}", y.map(*v))} />
                            <text x={(LC_L - 6.0).to_string()} y={format!("{:.1}", y.map(*v) + 4.0)} text-anchor="end">{ format!("{v}") }</text>
                        </g>
                    }) }
                    <text class="axis-label" transform={format!("translate(12 {}) rotate(-90)", LC_H / 2.0)} text-anchor="middle">{ p.y_label.clone() }</text>
                </g>
                <g class="axis x">
                    { for xt.iter().map(|v| html! {
                        <text x={format!("{:.1}", x.map(*v))} y={(LC_H - LC_B + 16.0).to_string()} text-anchor="middle">{ format!("{v}") }</text>
                    }) }
                    <text class="axis-label" x={((LC_L + LC_W - LC_R) / 2.0).to_string()} y={(LC_H - 4.0).to_string()} text-anchor="middle">{ p.x_label.clone() }</text>
                    <line class="axis-line" x1={LC_L.to_string()} x2={(LC_W - LC_R).to_string()} y1={(LC_H - LC_B).to_string()} y2={(LC_H - LC_B).to_string()} />
                </g>
                { for p.vlines.iter().filter(|(v, _)| *v >= x0 && *v <= x1).map(|(v, label)| html! {
                    <g class="vline">
                        <line x1={format!("{:.1}", x.map(*v))} x2={format!("{:.1}", x.map(*v))} y1={LC_T.to_string()} y2={(LC_H - LC_B).to_string()} />
                        <text x={format!("{:.1}", x.map(*v) + 4.0)} y={(LC_T + 12.0).to_string()}>{ label.clone() }</text>
                    </g>
                }) }
                { for p.series.iter().map(|s| {
                    let path = s.points.iter().map(|(a, b)| format!("{:.1},{:.1}", x.map(*a), y.map(*b))).collect::<Vec<_>>().join(" ");
                    html! {
                        <g class={classes!("series", s.class)} data-series={s.name.clone()}>
                            <polyline points={path} fill="none" />
                            if s.markers {
                                { for s.points.iter().map(|(a, b)| html! {
                                    <circle class="point" cx={format!("{:.1}", x.map(*a))} cy={format!("{:.1}", y.map(*b))} r="4" data-x={a.to_string()} data-y={b.to_string()}>
                                        <title>{ format!("{}: {a} → {b:.2}", s.name) }</title>
                                    </circle>
                                }) }
                            }
                        </g>
                    }
                }) }
            </svg>
            <figcaption class="legend">
                { for p.series.iter().map(|s| html! { <span class={classes!("key", s.class)}>{ crate::web::labs::card::prose(&s.name) }</span> }) }
            </figcaption>
        </figure>
    }
}
