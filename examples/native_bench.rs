//! The CPU kernels compiled natively with rayon, timed the way the browser times them: the
//! benchmark command runs this beside the wasm build (`cargo run --release --example
//! native_bench -- <kernel> <k> <repeats>`) and reports native time / wasm time.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use concurrency_playground::engine::clock::MonotonicClock;
    use concurrency_playground::engine::control::RunControl;
    use concurrency_playground::engine::cpu::config_of;
    use concurrency_playground::engine::cpu::measure::{cpu_result, run_cpu};
    use concurrency_playground::engine::labs::parse;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(text) = args.first() else {
        eprintln!("usage: native_bench '<scenario text>' (a cpu scenario; [run] workers = k)");
        std::process::exit(2);
    };
    let scenario = match parse(text, 64) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let Some(cfg) = config_of(scenario.config.demo.id, &scenario.config.values) else {
        eprintln!("not a cpu scenario");
        std::process::exit(2);
    };
    let cfg = &cfg;
    let k = scenario.run.workers;
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(k as usize)
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("no pool: {e}");
            std::process::exit(1);
        }
    };
    let ctl = RunControl::new();
    let run = run_cpu(
        &pool,
        k,
        scenario.run.repeats,
        scenario.run.warmup,
        cfg,
        &ctl,
        &MonotonicClock,
    );
    let result = cpu_result(&run, cfg, k, k, None);
    match serde_json::to_string(&result) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
