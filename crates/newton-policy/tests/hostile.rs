//! Hostile policies cannot take the process down: every case of
//! `test/fixtures/hostile-policies.json` ends in its expected compile error, deny code or allow
//! within a bound, over and over in one process with flat memory, on a small-stack thread too,
//! and a normal policy still evaluates correctly afterwards.

use newton_core::ErrorCode;
use newton_policy::{CompileOptions, EvalRequest, Limits, Policy, PolicyModule};
use serde::Deserialize;
use std::time::{Duration, Instant};

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    modules: Vec<ModuleJson>,
    entrypoint: String,
    expect: Expect,
    #[serde(default)]
    limits: CaseLimits,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaseLimits {
    eval_timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
struct ModuleJson {
    path: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expect {
    Compile(String),
    Deny(String),
    Allow(bool),
}

fn cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/fixtures/hostile-policies.json");
    let text = std::fs::read_to_string(path).expect("fixture");
    serde_json::from_str::<Fixture>(&text).expect("fixture parses").cases
}

/// The suite's limits: the defaults with a generous timeout, so every case hits its own budget
/// even on a loaded machine (the time-limit case sets a short one).
fn options() -> CompileOptions {
    CompileOptions {
        limits: Limits { eval_timeout: Duration::from_secs(5), ..Limits::default() },
        ..CompileOptions::default()
    }
}

fn case_options(case: &Case) -> CompileOptions {
    let mut options = options();
    if let Some(ms) = case.limits.eval_timeout_ms {
        options.limits.eval_timeout = Duration::from_millis(ms);
    }
    options
}

/// Longest any case may take, compile or evaluation.
const BOUND: Duration = Duration::from_secs(5);

/// Runs one case once and checks its outcome within the bound.
fn run(case: &Case) {
    let modules: Vec<PolicyModule> =
        case.modules.iter().map(|m| PolicyModule { path: m.path.clone(), source: m.source.clone() }).collect();
    let started = Instant::now();
    let compiled = Policy::compile(&modules, &case.entrypoint, case_options(case));
    let outcome = compiled.map(|policy| {
        let request = EvalRequest::from_json("{\"input\":{}}", 1 << 20).expect("request");
        policy.evaluate(&request).expect("evaluates")
    });
    let elapsed = started.elapsed();
    assert!(elapsed < BOUND, "{}: took {elapsed:?}", case.name);
    match (&case.expect, outcome) {
        (Expect::Compile(code), Err(e)) => assert_eq!(e.code.as_str(), code, "{}: {}", case.name, short(&e.message)),
        (Expect::Deny(code), Ok(d)) => {
            assert!(!d.allow, "{}", case.name);
            let error = d.error.unwrap_or_else(|| panic!("{}: denied without an error: {:?}", case.name, d.reason));
            assert_eq!(error.code.as_str(), code, "{}: {}", case.name, short(&error.message));
        }
        (Expect::Allow(allow), Ok(d)) => assert_eq!(d.allow, *allow, "{}: {:?}", case.name, d.reason),
        (_, Ok(d)) => panic!("{}: unexpected decision {:?}", case.name, d.reason.as_deref().map(short)),
        (_, Err(e)) => panic!("{}: unexpected error {}: {}", case.name, e.code, short(&e.message)),
    }
}

/// The start of a message (hostile sources make long ones).
fn short(message: &str) -> &str {
    &message[..message.char_indices().nth(300).map_or(message.len(), |(i, _)| i)]
}

fn assert_normal_policy_works() {
    let source = "package p\nimport rego.v1\nallow if input.amount <= 10\n";
    let policy =
        Policy::compile(&[PolicyModule { path: "ok.rego".into(), source: source.into() }], "p.allow", options())
            .expect("compiles");
    for (amount, allow) in [(5, true), (50, false)] {
        let request =
            EvalRequest::from_json(&format!("{{\"input\":{{\"amount\":{amount}}}}}"), 1 << 20).expect("request");
        assert_eq!(policy.evaluate(&request).expect("evaluates").allow, allow);
    }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("VmRSS value")
}

#[test]
fn every_case_ends_as_expected_then_a_normal_policy_works() {
    let cases = cases();
    assert!(cases.len() >= 30, "the suite has {} cases", cases.len());
    for case in &cases {
        run(case);
        assert_normal_policy_works();
    }
}

#[test]
fn a_thousand_hostile_runs_keep_memory_flat() {
    let cases = cases();
    let rounds = 1000usize.div_ceil(cases.len());
    // Warm up (allocator pools, caches), then measure growth over the rest.
    cases.iter().for_each(run);
    let baseline = rss_kib();
    let mut peak = baseline;
    for _ in 1..rounds {
        cases.iter().for_each(run);
        peak = peak.max(rss_kib());
    }
    assert_normal_policy_works();
    assert!(peak < baseline + 64 * 1024, "RSS grew from {baseline} KiB to {peak} KiB");
}

#[test]
fn small_stack_threads_are_safe() {
    // The interpreter grows its stack on demand, so even a 256 KiB thread survives the deepest
    // nesting the limits allow.
    let cases = cases();
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            for case in cases.iter().filter(|c| !matches!(c.expect, Expect::Compile(_))) {
                run(case);
            }
        })
        .expect("thread")
        .join()
        .expect("no overflow");
}

#[test]
fn recursion_errors_name_every_member_of_the_cycle() {
    let source = "package p\nimport rego.v1\n\nf(x) := g(x)\n\ng(x) := f(x)\n\nallow if f(1) > 0\n";
    let err =
        Policy::compile(&[PolicyModule { path: "loop.rego".into(), source: source.into() }], "p.allow", options())
            .expect_err("recursion");
    assert_eq!(err.code, ErrorCode::PolicyRecursion);
    assert!(
        err.message.starts_with("loop.rego:4: rego_recursion_error: data.p.f depends on itself"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("data.p.f (loop.rego:4) → data.p.g (loop.rego:6) → data.p.f (loop.rego:4)"),
        "{}",
        err.message
    );
    let cycle = &err.details.expect("details")["cycle"];
    assert_eq!(cycle[1]["rule"], "data.p.g");
    assert_eq!(cycle[1]["line"], 6);
}

#[test]
fn the_depth_limit_is_configurable_and_not_hit_by_ordinary_nesting() {
    let chain = |n: usize| {
        let mut s = String::from("package p\nimport rego.v1\n");
        (0..n).for_each(|i| s += &format!("f{i}(x) := f{}(x) + 1\n", i + 1));
        s + &format!("f{n}(x) := x\nallow if f0(0) == {n}\n")
    };
    let modules = |n| vec![PolicyModule { path: "chain.rego".into(), source: chain(n) }];
    let request = EvalRequest::from_json("{}", 1 << 10).expect("request");
    let deep = Policy::compile(&modules(200), "p.allow", options()).expect("compiles");
    assert!(deep.evaluate(&request).expect("evaluates").allow, "200 nested calls are within the default 256");
    let limits = Limits { max_eval_depth: 50, ..options().limits };
    let shallow = Policy::compile(&modules(200), "p.allow", CompileOptions { limits, ..options() }).expect("compiles");
    let d = shallow.evaluate(&request).expect("evaluates");
    assert_eq!(d.error.map(|e| e.code), Some(ErrorCode::PolicyEvalDepth));
}

#[test]
fn every_fuzzer_finding_ends_within_the_bound() {
    // Inputs the fuzzer found slow or crashing (`npm run fuzz:rego`); each now compiles or fails
    // with a clean error, never an internal one, within the bound.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/fixtures/fuzz-crashes");
    let mut findings = 0;
    for entry in std::fs::read_dir(dir).expect("fuzz-crashes") {
        let path = entry.expect("entry").path();
        let source = std::fs::read_to_string(&path).expect("finding");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let started = Instant::now();
        let compiled = Policy::compile(&[PolicyModule { path: name.clone(), source }], "p.allow", options());
        assert!(started.elapsed() < BOUND, "{name}: took {:?}", started.elapsed());
        if let Err(e) = compiled {
            assert_ne!(e.code, ErrorCode::Internal, "{name}: {}", short(&e.message));
        }
        findings += 1;
    }
    assert!(findings > 0, "no findings in {dir}");
}
