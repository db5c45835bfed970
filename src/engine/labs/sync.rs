//! Lab `sync`: synchronisation between real workers on shared memory. Its demos, the `[sync]`
//! table and its presets. (This build has the race-condition demo.)

use super::Preset;
use crate::engine::scenario::{ErrorCode, LabTable, RunConfig, ScenarioError, TableReader};
use crate::engine::sync::deadlock::Strategy;
use crate::engine::sync::race::Method;

/// The `[sync]` table of one demo, parsed and defaulted.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncConfig {
    /// k workers × `increments` on one shared counter, with each of `methods` in turn.
    Race {
        increments: u64,
        methods: Vec<Method>,
    },
    /// `[run] workers` clients share `connections` permits, each making `requests` requests
    /// that hold a connection for `hold_ms`.
    Semaphore {
        connections: u32,
        requests: u32,
        hold_ms: u32,
    },
    /// Workers meet at a barrier after each of `phases` phases of about `work_ms`; the last
    /// worker adds `straggler_ms` in the last phase; waits give up after `timeout_ms`.
    Barrier {
        phases: u32,
        work_ms: u32,
        straggler_ms: u32,
        timeout_ms: u32,
    },
    /// Two workers, locks A and B, each strategy in turn.
    Deadlock {
        strategies: Vec<Strategy>,
        hold_ms: u32,
        timeout_ms: u32,
    },
}

pub const DEMOS: &[&str] = &["race", "semaphore", "deadlock", "barrier"];

impl SyncConfig {
    pub fn demo_id(&self) -> &'static str {
        match self {
            SyncConfig::Race { .. } => "race",
            SyncConfig::Semaphore { .. } => "semaphore",
            SyncConfig::Deadlock { .. } => "deadlock",
            SyncConfig::Barrier { .. } => "barrier",
        }
    }

    pub fn to_toml(&self) -> String {
        match self {
            SyncConfig::Race {
                increments,
                methods,
            } => {
                let method = if methods.len() == Method::ALL.len() {
                    "all"
                } else {
                    methods.first().map_or("all", |m| m.as_str())
                };
                format!("increments = {increments}\nmethod = \"{method}\"\n")
            }
            SyncConfig::Semaphore {
                connections,
                requests,
                hold_ms,
            } => {
                format!("connections = {connections}\nrequests = {requests}\nhold_ms = {hold_ms}\n")
            }
            SyncConfig::Barrier {
                phases,
                work_ms,
                straggler_ms,
                timeout_ms,
            } => format!(
                "phases = {phases}\nwork_ms = {work_ms}\nstraggler_ms = {straggler_ms}\ntimeout_ms = {timeout_ms}\n"
            ),
            SyncConfig::Deadlock {
                strategies,
                hold_ms,
                timeout_ms,
            } => {
                let strategy = if strategies.len() == 3 {
                    "all"
                } else {
                    strategies.first().map_or("all", |s| s.as_str())
                };
                format!(
                    "strategy = \"{strategy}\"\nhold_ms = {hold_ms}\ntimeout_ms = {timeout_ms}\n"
                )
            }
        }
    }
}

pub fn parse_table(
    demo: &str,
    demo_pos: (u32, u32),
    table: &LabTable<'_>,
    run: &RunConfig,
) -> Result<SyncConfig, ScenarioError> {
    if !DEMOS.contains(&demo) {
        return Err(ScenarioError::new(ErrorCode::UnknownDemo, demo_pos)
            .with("lab", "sync")
            .with("value", demo)
            .with("allowed", DEMOS.join(", ")));
    }
    let mut r = TableReader::new(table.text, table.table, "sync", table.anchor);
    if demo == "barrier" {
        let phases = r.u32_in("phases", 3, 1..=20)?;
        let work_ms = r.u32_in("work_ms", 30, 1..=1_000)?;
        let straggler_ms = r.u32_in("straggler_ms", 0, 0..=5_000)?;
        let timeout_ms = r.u32_in("timeout_ms", 1_000, 1..=10_000)?;
        r.finish()?;
        return Ok(SyncConfig::Barrier {
            phases,
            work_ms,
            straggler_ms,
            timeout_ms,
        });
    }
    if demo == "deadlock" {
        if run.workers != 2 {
            return Err(ScenarioError::new(ErrorCode::InvalidValue, demo_pos)
                .with("key", "demo")
                .with("value", "\"deadlock\"")
                .with("why", format!("the deadlock demo uses exactly 2 workers, one per lock; set [run] workers = 2 (it is {})", run.workers)));
        }
        let all = vec![Strategy::Opposite, Strategy::Ordered, Strategy::Timeout];
        let strategies = match r.opt_string("strategy")? {
            None => all,
            Some((m, pos)) => match m.as_str() {
                "all" => all,
                "opposite" => vec![Strategy::Opposite],
                "ordered" => vec![Strategy::Ordered],
                "timeout" => vec![Strategy::Timeout],
                _ => {
                    return Err(ScenarioError::new(ErrorCode::InvalidValue, pos)
                        .with("key", "strategy")
                        .with("value", format!("\"{m}\""))
                        .with(
                            "why",
                            "the strategy is \"opposite\", \"ordered\", \"timeout\" or \"all\"",
                        ))
                }
            },
        };
        let hold_ms = r.u32_in("hold_ms", 20, 1..=1_000)?;
        let timeout_ms = r.u32_in("timeout_ms", 10, 1..=1_000)?;
        r.finish()?;
        return Ok(SyncConfig::Deadlock {
            strategies,
            hold_ms,
            timeout_ms,
        });
    }
    if demo == "semaphore" {
        let connections = r.u32_in("connections", 2, 1..=64)?;
        let requests = r.u32_in("requests", 3, 1..=100)?;
        let hold_ms = r.u32_in("hold_ms", 40, 1..=2_000)?;
        r.finish()?;
        return Ok(SyncConfig::Semaphore {
            connections,
            requests,
            hold_ms,
        });
    }
    let increments = r.u64_in("increments", 2_000_000, 1..=20_000_000)?;
    let methods = match r.opt_string("method")? {
        None => Method::ALL.to_vec(),
        Some((m, pos)) => match m.as_str() {
            "all" => Method::ALL.to_vec(),
            "none" => vec![Method::None],
            "lock" => vec![Method::Lock],
            "atomic" => vec![Method::Atomic],
            _ => {
                return Err(ScenarioError::new(ErrorCode::InvalidValue, pos)
                    .with("key", "method")
                    .with("value", format!("\"{m}\""))
                    .with(
                        "why",
                        "the method is \"none\", \"lock\", \"atomic\" or \"all\"",
                    ))
            }
        },
    };
    r.finish()?;
    Ok(SyncConfig::Race {
        increments,
        methods,
    })
}

pub fn presets() -> Vec<Preset> {
    let race = |name, title, body: &str| Preset {
        lab: "sync",
        demo: "race",
        name,
        title,
        scenario: format!("version = 1\nlab = \"sync\"\ndemo = \"race\"\n{body}"),
    };
    let semaphore = Preset {
        lab: "sync",
        demo: "semaphore",
        name: "semaphore",
        title: "Semaphore: 6 clients, a pool of 2 connections",
        scenario: "version = 1\nlab = \"sync\"\ndemo = \"semaphore\"\n\n[run]\nworkers = 6        # clients, one worker each\n\n[sync]\nconnections = 2    # BoundedSemaphore(2): at most 2 inside at once\nrequests = 3       # requests per client\nhold_ms = 40       # how long a request holds its connection\n".to_string(),
    };
    vec![
        race(
            "race",
            "Race condition: 2 workers × 2,000,000 increments, without a lock, with a lock, atomic",
            "\n[run]\nworkers = 2\n\n[sync]\nincrements = 2_000_000   # each worker adds 1 this many times\nmethod = \"all\"         # none, lock, atomic — or all three in turn\n",
        ),
        race(
            "race-4-workers",
            "Race condition with 4 workers",
            "\n[run]\nworkers = 4\n\n[sync]\nincrements = 1_000_000\n",
        ),
        semaphore,
        Preset {
            lab: "sync",
            demo: "barrier",
            name: "barrier",
            title: "Barrier: 4 workers, 3 phases — nobody starts a phase early",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"barrier\"\n\n[run]\nworkers = 4\n\n[sync]\nphases = 3\nwork_ms = 30       # each phase takes 15-45 ms per worker (seeded)\n".to_string(),
        },
        Preset {
            lab: "sync",
            demo: "barrier",
            name: "barrier-broken",
            title: "A broken barrier: one straggler, a 150 ms timeout",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"barrier\"\n\n[run]\nworkers = 4\n\n[sync]\nphases = 2\nwork_ms = 20\nstraggler_ms = 400   # the last worker is this much slower in the last phase\ntimeout_ms = 150     # barrier.wait(timeout=0.15): the others give up and the barrier breaks\n".to_string(),
        },
        Preset {
            lab: "sync",
            demo: "deadlock",
            name: "deadlock",
            title: "Deadlock: two locks taken in opposite order — detected, then two fixes",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"deadlock\"\n\n[run]\nworkers = 2        # one worker per lock\n\n[sync]\nstrategy = \"all\"   # opposite (deadlocks), ordered (one lock order), timeout (timed acquire + back-off)\nhold_ms = 20       # time spent holding both locks\ntimeout_ms = 10    # how long a timed acquire waits before backing off\n".to_string(),
        },
    ]
}
