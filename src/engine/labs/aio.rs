//! Lab `async`: asyncio's ideas as futures on the page's one event loop. The `[async]` table
//! of each demo is read by the demo's own file (`engine::aio::demos::*`); this file only
//! lists the demos and dispatches to them.

use super::Preset;
use crate::engine::aio::demos::{self, Ctx, Knob};
use crate::engine::scenario::{ErrorCode, LabTable, RunConfig, ScenarioError, TableReader};

/// Declares the demos once: the config enum, ids, parsing, text, knobs, presets and runs.
macro_rules! async_demos {
    ($($variant:ident => $module:ident, $id:literal;)*) => {
        /// The `[async]` table of one demo, parsed and defaulted.
        #[derive(Clone, Debug, PartialEq)]
        pub enum AsyncConfig {
            $($variant(demos::$module::Config),)*
        }

        /// Demo ids in display order.
        pub const DEMOS: &[&str] = &[$($id),*];

        impl AsyncConfig {
            pub fn demo_id(&self) -> &'static str {
                match self { $(AsyncConfig::$variant(_) => $id,)* }
            }

            pub fn to_toml(&self) -> String {
                match self { $(AsyncConfig::$variant(c) => c.to_toml(),)* }
            }

            fn read(demo: &str, r: &mut TableReader) -> Option<Result<AsyncConfig, ScenarioError>> {
                match demo {
                    $($id => Some(demos::$module::Config::read(r).map(AsyncConfig::$variant)),)*
                    _ => None,
                }
            }

            /// Runs the demo on `ctx`'s loop; the value is the report's `result`.
            pub async fn run(self, ctx: Ctx) -> serde_json::Value {
                match self { $(AsyncConfig::$variant(c) => demos::$module::run(ctx, c).await,)* }
            }
        }

        /// The numeric inputs a demo's page shows.
        pub fn knobs(demo: &str) -> &'static [Knob] {
            match demo { $($id => demos::$module::KNOBS,)* _ => &[] }
        }

        fn demo_presets() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
            let mut all = Vec::new();
            $(all.extend(demos::$module::PRESETS.iter().map(|(n, t, b)| ($id, *n, *t, *b)));)*
            all
        }
    };
}

async_demos! {
    Gather => gather, "gather";
    TaskGroup => task_group, "task-group";
    Timeouts => timeouts, "timeouts";
    Semaphore => limits, "semaphore";
    Retry => retry, "retry";
    TokenBucket => bucket, "token-bucket";
    Pipeline => pipeline, "pipeline";
    Actors => actors, "actors";
    Futures => futures, "futures";
    Blocking => blocking, "blocking";
    Scale => scale, "scale";
}

pub fn parse_table(
    demo: &str,
    demo_pos: (u32, u32),
    table: &LabTable<'_>,
    _run: &RunConfig,
) -> Result<AsyncConfig, ScenarioError> {
    let mut r = TableReader::new(table.text, table.table, "async", table.anchor);
    let Some(config) = AsyncConfig::read(demo, &mut r) else {
        return Err(ScenarioError::new(ErrorCode::UnknownDemo, demo_pos)
            .with("lab", "async")
            .with("value", demo)
            .with("allowed", DEMOS.join(", ")));
    };
    let config = config?;
    r.finish()?;
    Ok(config)
}

pub fn presets() -> Vec<Preset> {
    demo_presets()
        .into_iter()
        .map(|(demo, name, title, body)| Preset {
            lab: "async",
            demo,
            name,
            title,
            scenario: format!("version = 1\nlab = \"async\"\ndemo = \"{demo}\"\n\n[async]\n{body}"),
        })
        .collect()
}

/// How long a demo takes on virtual time (its waits, without any overhead): the browser's
/// progress bar measures real time against it. None for `scale`, whose virtual run is itself
/// as big as the real one.
pub fn virtual_duration(config: &AsyncConfig, seed: u64, workers: u32) -> Option<f64> {
    if matches!(config, AsyncConfig::Scale(_)) {
        return None;
    }
    let rt = crate::engine::aio::Rt::new_virtual();
    let ctx = Ctx {
        rt: rt.clone(),
        seed,
        workers,
        pools: demos::VirtualPools::shared(&rt, workers),
    };
    let out = rt.block_on(config.clone().run(ctx)).ok().map(|_| rt.now());
    rt.shutdown();
    out.filter(|t| *t > 0.0)
}
