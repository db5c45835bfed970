//! Demo `convoy`: one CPU-bound thread and one I/O-bound thread under the GIL, for each switch
//! interval in turn. After every I/O call the I/O thread waits about one interval for the GIL:
//! the longer the interval, the fewer I/O calls per second (the convoy effect).

use std::sync::atomic::Ordering;

use serde::Serialize;

use super::{boxed, Ctx, Declared, Demo, DemoPreset, LabId, Param, NEEDS};
use crate::engine::control::RunError;
use crate::engine::lesson::lesson;
use crate::engine::models::exec::{count_total, threads_unavailable, Timeline};
use crate::engine::models::gil::{MAX_SWITCH_INTERVAL_MS, MIN_SWITCH_INTERVAL_MS};
use crate::engine::models::threads::{run_convoy, ConvoyConfig, ConvoyRun};
use crate::engine::params::FloatList;
use crate::engine::result::{Chart, DemoResult, Line, Row, Table, Text};
use crate::engine::trace::round_us;

crate::params! {
    pub struct Config {
        intervals: FloatList = Param::floats(MIN_SWITCH_INTERVAL_MS, MAX_SWITCH_INTERVAL_MS, 12, &[0.5, 1.0, 2.0, 5.0, 10.0, 20.0]).unit("ms").label("knob.models.intervals").help("help.models.convoy.intervals").knob(0.0),
        duration_ms: u32 = Param::int(20, 2_000, 200).unit("ms").label("knob.models.duration").help("help.models.convoy.duration-ms").knob(10.0),
        io_ms: f64 = Param::float(0.0, 10.0, 0.1).unit("ms").label("knob.models.io-ms").help("help.models.convoy.io-ms"),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Models,
    id: "convoy",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "convoy",
        title: "The convoy effect: an I/O thread behind a CPU thread, as the switch interval grows",
        run: "workers = 2\n",
        table: "intervals = \"0.5, 1, 2, 5, 10, 20\"   # switch intervals to try, in ms\nduration_ms = 200                     # per interval\nio_ms = 0.1                           # each I/O call's wait (data already there)\n",
    }],
    python: include_str!("../../../python/models_convoy.py"),
    rust: crate::rust_excerpt!("engine/models/demos/convoy.rs"),
    needs: NEEDS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.models.convoy", "The convoy effect: an I/O thread behind a CPU thread, as the switch interval grows", "护航效应：随着切换间隔变长，I/O 线程被堵在 CPU 线程后面"),
    ("help.models.convoy.intervals", "The switch intervals to try, in order: 1 to 12 numbers of milliseconds from 0.1 to 100, separated by commas", "依次尝试的切换间隔：1 到 12 个 0.1 到 100 之间的毫秒数，用逗号分隔"),
    ("help.models.convoy.duration-ms", "How long the I/O thread keeps calling, per interval", "每个间隔下 I/O 线程持续发起调用的时长"),
    ("help.models.convoy.io-ms", "Each I/O call's wait (short: the data is already there, as in Beazley's demo)", "每次 I/O 调用的等待时间（很短：数据已经就绪，和 Beazley 的演示一样）"),
];

// excerpt:start
/// The demo: on two threads of one pool, the convoy experiment once per switch interval; the
/// I/O calls per second at each interval are the curve.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    if let Some(why) = threads_unavailable(&ctx) {
        return Err(RunError::say(
            "no-threads",
            "error.models.no-threads",
            &[("why", why)],
        ));
    }
    let intervals = cfg.intervals.as_slice().to_vec();
    count_total(&ctx, intervals.len() as u64);
    let (duration_ms, io_ms) = (f64::from(cfg.duration_ms), cfg.io_ms);
    let mut timeline = Timeline::new(&ctx);
    let runs: Vec<ConvoyRun> = ctx
        .on_threads(2, move |pool, ctl, clock| {
            let mut out = Vec::new();
            for &switch_interval_ms in &intervals {
                if ctl.cancelled() {
                    break;
                }
                let cfg = ConvoyConfig {
                    switch_interval_ms,
                    duration_ms,
                    io_ms,
                };
                if let Ok(r) = run_convoy(pool, &cfg, clock, &ctl.cancel) {
                    out.push(r);
                }
                ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
            }
            out
        })
        .await?;
    // The timeline keeps the shortest and the longest interval (thousands of spans otherwise).
    for (i, r) in runs.iter().enumerate() {
        if i == 0 || i + 1 == runs.len() {
            timeline.add(
                &format!("{} ms", r.switch_interval_ms),
                "thread",
                r.spans.clone(),
            );
        }
    }
    timeline.finish();
    Ok(convoy_result(&runs, cfg.duration_ms, io_ms))
}
// excerpt:end

/// One interval's measurements (docs/api.md, demo `convoy`: `points`).
#[derive(Clone, Debug, Serialize)]
pub struct ConvoyPoint {
    pub switch_interval_ms: f64,
    pub io_ops: u64,
    pub io_ops_per_s: f64,
    pub io_gil_wait_per_op_ms: f64,
    pub cpu_quanta: u64,
    pub switches: u64,
    pub max_quanta_past_drop_request: u64,
}

/// The demo's facts.
#[derive(Clone, Debug, Serialize)]
pub struct ConvoyFacts {
    pub points: Vec<ConvoyPoint>,
    pub duration_ms: u32,
    pub io_ms: f64,
}

/// The result: a point per interval, the lesson from the shortest and the longest, the curve
/// of I/O calls per second and the table of points.
fn convoy_result(runs: &[ConvoyRun], duration_ms: u32, io_ms: f64) -> DemoResult {
    let points: Vec<ConvoyPoint> = runs
        .iter()
        .map(|r| ConvoyPoint {
            switch_interval_ms: r.switch_interval_ms,
            io_ops: r.io_ops,
            io_ops_per_s: r.io_ops_per_s.round(),
            io_gil_wait_per_op_ms: round_us(r.io_gil_wait_per_op_ms),
            cpu_quanta: r.cpu_quanta,
            switches: r.switches,
            max_quanta_past_drop_request: r.max_quanta_past_drop_request,
        })
        .collect();
    let (first, last) = (runs.first(), runs.last());
    let figure = |r: Option<&ConvoyRun>, f: fn(&ConvoyRun) -> String| r.map_or("—".into(), f);
    let lesson = lesson(
        "lesson.models.convoy",
        &[
            (
                "first",
                figure(first, |r| format!("{}", r.switch_interval_ms)),
            ),
            ("fast", figure(first, |r| format!("{:.0}", r.io_ops_per_s))),
            (
                "last",
                figure(last, |r| format!("{}", r.switch_interval_ms)),
            ),
            ("slow", figure(last, |r| format!("{:.0}", r.io_ops_per_s))),
        ],
    );
    let chart = Chart {
        id: "convoy-chart",
        title: Text::key("models.io-rate"),
        x: Text::key("models.interval"),
        y: Text::key("models.io-rate"),
        lines: vec![Line {
            name: Text::key("models.io-rate"),
            class: "measured",
            points: points
                .iter()
                .map(|p| (p.switch_interval_ms, p.io_ops_per_s))
                .collect(),
            markers: true,
        }],
        vlines: Vec::new(),
    };
    // Figures as the page showed them (JSON numbers: `5.0`, `1234.0`).
    let num = |x: f64| format!("{x:?}");
    let head = [
        "models.interval",
        "models.io-rate",
        "models.io-wait",
        "models.switches",
    ];
    let table =
        Table::new("convoy-table", head.map(Text::key).to_vec()).rows(points.iter().map(|p| {
            Row::new(vec![
                num(p.switch_interval_ms).into(),
                num(p.io_ops_per_s).into(),
                num(p.io_gil_wait_per_op_ms).into(),
                p.switches.to_string().into(),
            ])
        }));
    DemoResult::new(ConvoyFacts {
        points,
        duration_ms,
        io_ms,
    })
    .lesson(lesson)
    .chart(chart)
    .table(table)
}
