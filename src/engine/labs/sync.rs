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
    /// `producers` of the workers put `items` each into a buffer of `capacity`; the rest
    /// consume.
    Condition {
        producers: u32,
        capacity: u32,
        items: u32,
        produce_ms: u32,
        consume_ms: u32,
        notify_all: bool,
    },
    /// Orders of FIFO / LIFO / priority queues, then a pool fed through a `maxsize` queue.
    Queues {
        kind: crate::engine::sync::queues::Kind,
        items: u32,
        maxsize: u32,
        work_ms: u32,
    },
    /// Lock vs RLock on a recursive walk; non-blocking and timed acquire under contention.
    Rlock {
        depth: u32,
        hold_ms: u32,
        timeout_ms: u32,
    },
    /// A "service ready" Event, a wait with timeout, and a "stop" Event.
    Event {
        ready_ms: u32,
        run_ms: u32,
        timeout_ms: u32,
    },
    /// join(timeout), daemon-style work, Timers, thread-local storage.
    Life {
        job_ms: u32,
        join_timeout_ms: u32,
        timer_ms: u32,
    },
    /// k process workers share one SharedArrayBuffer counter, without and with its lock.
    Shared { increments: u32 },
    /// Two workers, locks A and B, each strategy in turn.
    Deadlock {
        strategies: Vec<Strategy>,
        hold_ms: u32,
        timeout_ms: u32,
    },
}

pub const DEMOS: &[&str] = &[
    "race",
    "rlock",
    "semaphore",
    "event",
    "condition",
    "barrier",
    "queues",
    "life",
    "deadlock",
    "shared",
];

impl SyncConfig {
    pub fn demo_id(&self) -> &'static str {
        match self {
            SyncConfig::Race { .. } => "race",
            SyncConfig::Semaphore { .. } => "semaphore",
            SyncConfig::Deadlock { .. } => "deadlock",
            SyncConfig::Barrier { .. } => "barrier",
            SyncConfig::Condition { .. } => "condition",
            SyncConfig::Queues { .. } => "queues",
            SyncConfig::Rlock { .. } => "rlock",
            SyncConfig::Event { .. } => "event",
            SyncConfig::Life { .. } => "life",
            SyncConfig::Shared { .. } => "shared",
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
            SyncConfig::Condition { producers, capacity, items, produce_ms, consume_ms, notify_all } => format!(
                "producers = {producers}\ncapacity = {capacity}\nitems = {items}\nproduce_ms = {produce_ms}\nconsume_ms = {consume_ms}\nnotify = \"{}\"\n",
                if *notify_all { "all" } else { "one" }
            ),
            SyncConfig::Queues { kind, items, maxsize, work_ms } => format!(
                "kind = \"{}\"\nitems = {items}\nmaxsize = {maxsize}\nwork_ms = {work_ms}\n",
                kind.as_str()
            ),
            SyncConfig::Rlock { depth, hold_ms, timeout_ms } => {
                format!("depth = {depth}\nhold_ms = {hold_ms}\ntimeout_ms = {timeout_ms}\n")
            }
            SyncConfig::Event { ready_ms, run_ms, timeout_ms } => {
                format!("ready_ms = {ready_ms}\nrun_ms = {run_ms}\ntimeout_ms = {timeout_ms}\n")
            }
            SyncConfig::Shared { increments } => format!("increments = {increments}\n"),
            SyncConfig::Life { job_ms, join_timeout_ms, timer_ms } => format!(
                "job_ms = {job_ms}\njoin_timeout_ms = {join_timeout_ms}\ntimer_ms = {timer_ms}\n"
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
    if demo == "condition" {
        let producers = match r.opt_u64_at("producers", 1..=63)? {
            None => 1,
            Some((p, pos)) if p as u32 >= run.workers => {
                return Err(ScenarioError::new(ErrorCode::InvalidValue, pos)
                    .with("key", "producers")
                    .with("value", p.to_string())
                    .with(
                        "why",
                        format!(
                            "at least one of the [run] workers ({}) must consume",
                            run.workers
                        ),
                    ))
            }
            Some((p, _)) => p as u32,
        };
        let notify_all = match r.opt_string("notify")? {
            None => false,
            Some((m, pos)) => match m.as_str() {
                "one" => false,
                "all" => true,
                _ => {
                    return Err(ScenarioError::new(ErrorCode::InvalidValue, pos)
                        .with("key", "notify")
                        .with("value", format!("\"{m}\""))
                        .with("why", "notify is \"one\" (notify) or \"all\" (notify_all)"))
                }
            },
        };
        let config = SyncConfig::Condition {
            producers,
            capacity: r.u32_in("capacity", 3, 1..=1_000)?,
            items: r.u32_in("items", 20, 1..=10_000)?,
            produce_ms: r.u32_in("produce_ms", 5, 0..=1_000)?,
            consume_ms: r.u32_in("consume_ms", 10, 0..=1_000)?,
            notify_all,
        };
        r.finish()?;
        if run.workers < 2 {
            return Err(ScenarioError::new(ErrorCode::InvalidValue, demo_pos)
                .with("key", "demo")
                .with("value", "\"condition\"")
                .with(
                    "why",
                    "a producer and a consumer need [run] workers = 2 or more",
                ));
        }
        return Ok(config);
    }
    if demo == "queues" {
        use crate::engine::sync::queues::Kind;
        let kind = match r.opt_string("kind")? {
            None => Kind::Fifo,
            Some((m, pos)) => match m.as_str() {
                "fifo" => Kind::Fifo,
                "lifo" => Kind::Lifo,
                "priority" => Kind::Priority,
                _ => {
                    return Err(ScenarioError::new(ErrorCode::InvalidValue, pos)
                        .with("key", "kind")
                        .with("value", format!("\"{m}\""))
                        .with("why", "the kind is \"fifo\", \"lifo\" or \"priority\""))
                }
            },
        };
        let config = SyncConfig::Queues {
            kind,
            items: r.u32_in("items", 24, 1..=10_000)?,
            maxsize: r.u32_in("maxsize", 4, 0..=1_000)?,
            work_ms: r.u32_in("work_ms", 10, 0..=1_000)?,
        };
        r.finish()?;
        return Ok(config);
    }
    if demo == "rlock" {
        let config = SyncConfig::Rlock {
            depth: r.u32_in("depth", 5, 1..=1_000)?,
            hold_ms: r.u32_in("hold_ms", 60, 1..=2_000)?,
            timeout_ms: r.u32_in("timeout_ms", 20, 1..=2_000)?,
        };
        r.finish()?;
        return Ok(config);
    }
    if demo == "event" {
        let config = SyncConfig::Event {
            ready_ms: r.u32_in("ready_ms", 80, 1..=2_000)?,
            run_ms: r.u32_in("run_ms", 100, 1..=2_000)?,
            timeout_ms: r.u32_in("timeout_ms", 30, 1..=2_000)?,
        };
        r.finish()?;
        return Ok(config);
    }
    if demo == "shared" {
        let config = SyncConfig::Shared {
            increments: r.u32_in("increments", 100_000, 1..=2_000_000)?,
        };
        r.finish()?;
        return Ok(config);
    }
    if demo == "life" {
        let config = SyncConfig::Life {
            job_ms: r.u32_in("job_ms", 120, 1..=2_000)?,
            join_timeout_ms: r.u32_in("join_timeout_ms", 40, 1..=2_000)?,
            timer_ms: r.u32_in("timer_ms", 60, 1..=2_000)?,
        };
        r.finish()?;
        return Ok(config);
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
            demo: "condition",
            name: "condition",
            title: "Condition: a bounded buffer, 2 producers, 2 consumers",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"condition\"\n\n[run]\nworkers = 4\n\n[sync]\nproducers = 2      # the others consume\ncapacity = 3       # the buffer holds 3 items\nitems = 15         # per producer\nproduce_ms = 4\nconsume_ms = 10    # consumers are slower: producers wait for room\nnotify = \"one\"     # \"all\": notify_all wakes every waiter\n".to_string(),
        },
        Preset {
            lab: "sync",
            demo: "queues",
            name: "queues",
            title: "Queues: FIFO, LIFO, priority; back-pressure, task_done/join, sentinels",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"queues\"\n\n[run]\nworkers = 3        # one producer, two consumers\n\n[sync]\nkind = \"priority\"  # fifo, lifo or priority (ties keep insertion order)\nitems = 24\nmaxsize = 4        # queue.Queue(maxsize=4): the producer blocks when it is full\nwork_ms = 10\n".to_string(),
        },
        Preset {
            lab: "sync",
            demo: "rlock",
            name: "rlock",
            title: "Lock vs RLock: a recursive walk, non-blocking and timed acquire",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"rlock\"\n\n[run]\nworkers = 2\n\n[sync]\ndepth = 5          # the walk takes the lock again at every level\nhold_ms = 60       # worker 0 holds the lock this long ...\ntimeout_ms = 20    # ... while worker 1 tries acquire(timeout=0.02)\n".to_string(),
        },
        Preset {
            lab: "sync",
            demo: "event",
            name: "event",
            title: "Event: a \"service ready\" gate, a wait with timeout, a stop signal",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"event\"\n\n[run]\nworkers = 4\n\n[sync]\nready_ms = 80      # the service takes this long to start\nrun_ms = 100       # then the others work until stop is set\ntimeout_ms = 30    # one waiter uses ready.wait(timeout=0.03)\n".to_string(),
        },
        Preset {
            lab: "sync",
            demo: "life",
            name: "life",
            title: "A thread's life: join(timeout), daemon work, Timer, thread-local",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"life\"\n\n[run]\nworkers = 3\n\n[sync]\njob_ms = 120           # the joined job takes this long\njoin_timeout_ms = 40   # join(timeout=0.04) returns first: is_alive() is still True\ntimer_ms = 60          # a Timer fires after this; another is cancelled before it can\n".to_string(),
        },
        Preset {
            lab: "sync",
            demo: "shared",
            name: "shared",
            title: "Shared memory for process workers: a SharedArrayBuffer counter, without and with its lock",
            scenario: "version = 1\nlab = \"sync\"\ndemo = \"shared\"\n\n[run]\nworkers = 2        # process workers, each with a memory of its own\n\n[sync]\nincrements = 100_000   # each adds 1 to the shared counter this many times\n".to_string(),
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

/// Numeric inputs of the demos whose page builds its knobs from this list (the editor shows
/// every key; the older demos have hand-made knobs).
pub fn knobs(demo: &str) -> &'static [crate::engine::aio::demos::Knob] {
    use crate::engine::aio::demos::Knob;
    const CONDITION: &[Knob] = &[
        Knob {
            key: "producers",
            label: "knob.sync.producers",
            min: 1.0,
            max: 63.0,
            step: 1.0,
        },
        Knob {
            key: "capacity",
            label: "knob.sync.capacity",
            min: 1.0,
            max: 1000.0,
            step: 1.0,
        },
        Knob {
            key: "items",
            label: "knob.sync.items",
            min: 1.0,
            max: 10000.0,
            step: 1.0,
        },
        Knob {
            key: "consume_ms",
            label: "knob.sync.consume-ms",
            min: 0.0,
            max: 1000.0,
            step: 1.0,
        },
    ];
    const QUEUES: &[Knob] = &[
        Knob {
            key: "items",
            label: "knob.sync.items",
            min: 1.0,
            max: 10000.0,
            step: 1.0,
        },
        Knob {
            key: "maxsize",
            label: "knob.sync.maxsize",
            min: 0.0,
            max: 1000.0,
            step: 1.0,
        },
        Knob {
            key: "work_ms",
            label: "knob.sync.work-ms",
            min: 0.0,
            max: 1000.0,
            step: 1.0,
        },
    ];
    const RLOCK: &[Knob] = &[
        Knob {
            key: "depth",
            label: "knob.sync.depth",
            min: 1.0,
            max: 1000.0,
            step: 1.0,
        },
        Knob {
            key: "hold_ms",
            label: "knob.sync.hold-ms",
            min: 1.0,
            max: 2000.0,
            step: 10.0,
        },
        Knob {
            key: "timeout_ms",
            label: "knob.sync.timeout-ms",
            min: 1.0,
            max: 2000.0,
            step: 10.0,
        },
    ];
    const EVENT: &[Knob] = &[
        Knob {
            key: "ready_ms",
            label: "knob.sync.ready-ms",
            min: 1.0,
            max: 2000.0,
            step: 10.0,
        },
        Knob {
            key: "run_ms",
            label: "knob.sync.run-ms",
            min: 1.0,
            max: 2000.0,
            step: 10.0,
        },
        Knob {
            key: "timeout_ms",
            label: "knob.sync.timeout-ms",
            min: 1.0,
            max: 2000.0,
            step: 10.0,
        },
    ];
    const LIFE: &[Knob] = &[
        Knob {
            key: "job_ms",
            label: "knob.sync.job-ms",
            min: 1.0,
            max: 2000.0,
            step: 10.0,
        },
        Knob {
            key: "join_timeout_ms",
            label: "knob.sync.join-timeout-ms",
            min: 1.0,
            max: 2000.0,
            step: 10.0,
        },
        Knob {
            key: "timer_ms",
            label: "knob.sync.timer-ms",
            min: 1.0,
            max: 2000.0,
            step: 10.0,
        },
    ];
    const SHARED: &[Knob] = &[Knob {
        key: "increments",
        label: "knob.increments",
        min: 1.0,
        max: 2_000_000.0,
        step: 1000.0,
    }];
    match demo {
        "condition" => CONDITION,
        "queues" => QUEUES,
        "rlock" => RLOCK,
        "event" => EVENT,
        "life" => LIFE,
        "shared" => SHARED,
        _ => &[],
    }
}
