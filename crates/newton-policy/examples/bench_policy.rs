//! Raw-crate baseline for bench/policy.bench.mjs: times `Policy::compile` and
//! `Policy::evaluate_json` on a fixture directory and prints one JSON line.
//!
//! Usage: bench_policy <fixture dir> <iterations> <warmup>
//! The request JSON is built exactly as the TS bench builds it: the raw fixture files spliced into
//! `{"intent":…,"params":…,"wasm":…}`; the entrypoint is `<package>.allow`. Compile gets a tenth
//! of the iterations and warmup.

use newton_policy::{CompileOptions, Limits, Policy, PolicyModule};
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

/// Same allocator as the napi addon, so the two rows compare like with like.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: usize = 50;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, iterations, warmup] = args.as_slice() else {
        panic!("usage: bench_policy <fixture dir> <iterations> <warmup>");
    };
    let dir = Path::new(dir);
    let iterations: usize = iterations.parse().expect("iterations is a number");
    let warmup: usize = warmup.parse().expect("warmup is a number");

    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")).trim().to_owned()
    };
    let modules = [PolicyModule { path: "policy.rego".into(), source: read("policy.rego") }];
    let request = format!(
        r#"{{"intent":{},"params":{},"wasm":{}}}"#,
        read("intent.json"),
        read("params.json"),
        read("wasm.json")
    );
    let package = modules[0].source.lines().find_map(|l| l.strip_prefix("package ")).expect("policy has a package");
    let entrypoint = format!("{}.allow", package.trim());
    let compile = || Policy::compile(&modules, &entrypoint, CompileOptions::default()).expect("fixture compiles");

    let policy = compile();
    let decision = policy.evaluate_json(&request).expect("request is valid");
    eprintln!("decision: {decision}");
    assert!(decision.starts_with(r#"{"allow":true"#), "fixture must allow, got {decision}");

    let compile_times = time(iterations / 10, warmup / 10, || drop(black_box(compile())));
    let evaluate_times = time(iterations, warmup, || drop(black_box(policy.evaluate_json(black_box(&request)))));
    // The same policy with the params cache off: what the cache saves.
    let limits = Limits { params_cache_entries: 0, ..Limits::default() };
    let uncached = Policy::compile(&modules, &entrypoint, CompileOptions { limits, ..CompileOptions::default() })
        .expect("fixture compiles");
    let uncached_times = time(iterations, warmup, || drop(black_box(uncached.evaluate_json(black_box(&request)))));
    println!(
        r#"{{"compile_ns":{:.0},"evaluate_ns":{:.0},"evaluate_p50_ns":{:.0},"evaluate_p99_ns":{:.0},"evaluate_uncached_ns":{:.0},"request_bytes":{}}}"#,
        compile_times.mean,
        evaluate_times.mean,
        evaluate_times.percentile(0.50),
        evaluate_times.percentile(0.99),
        uncached_times.mean,
        request.len()
    );
}

/// Per-op nanoseconds of each batch of `BATCH` ops, sorted, plus the overall mean.
struct Timings {
    mean: f64,
    sorted_batches: Vec<f64>,
}

impl Timings {
    fn percentile(&self, q: f64) -> f64 {
        let last = self.sorted_batches.len() - 1;
        self.sorted_batches[((last as f64) * q).round() as usize]
    }
}

fn time(iterations: usize, warmup: usize, mut op: impl FnMut()) -> Timings {
    (0..warmup).for_each(|_| op());
    let mut sorted_batches: Vec<f64> = (0..iterations.div_ceil(BATCH).max(1))
        .map(|_| {
            let start = Instant::now();
            (0..BATCH).for_each(|_| op());
            start.elapsed().as_nanos() as f64 / BATCH as f64
        })
        .collect();
    let mean = sorted_batches.iter().sum::<f64>() / sorted_batches.len() as f64;
    sorted_batches.sort_by(f64::total_cmp);
    Timings { mean, sorted_batches }
}
