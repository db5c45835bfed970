//! Lab `sync`: synchronisation between real workers on shared memory. Its demos, the `[sync]`
//! table and its presets. (This build has the race-condition demo.)

use super::Preset;
use crate::engine::scenario::{ErrorCode, LabTable, RunConfig, ScenarioError, TableReader};
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
}

pub const DEMOS: &[&str] = &["race", "semaphore"];

impl SyncConfig {
    pub fn demo_id(&self) -> &'static str {
        match self {
            SyncConfig::Race { .. } => "race",
            SyncConfig::Semaphore { .. } => "semaphore",
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
        }
    }
}

pub fn parse_table(
    demo: &str,
    demo_pos: (u32, u32),
    table: &LabTable<'_>,
    _run: &RunConfig,
) -> Result<SyncConfig, ScenarioError> {
    if !DEMOS.contains(&demo) {
        return Err(ScenarioError::new(ErrorCode::UnknownDemo, demo_pos)
            .with("lab", "sync")
            .with("value", demo)
            .with("allowed", DEMOS.join(", ")));
    }
    let mut r = TableReader::new(table.text, table.table, "sync", table.anchor);
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
    ]
}
