//! The host end to end with hand-written components: load checks, outputs, every limit, guest
//! errors, secrets, tlsn, determinism, the artifact cache and concurrency.

mod common;

use common::*;
use newton_core::ErrorCode;
use newton_policy_data::{merge_outputs, HostConfig, PolicyDataHost, RunOptions, Secrets, WitVersion};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn code(r: newton_core::Result<String>) -> ErrorCode {
    r.expect_err("the run must fail").code
}

#[test]
fn runs_a_component_and_reports_its_world() {
    let h = host("{}");
    let m = load(&h, &returning(0, r#"{"price":42}"#));
    assert_eq!(m.wit_version(), WitVersion::V0_2_0);
    assert!(m.imports().is_empty());
    assert_eq!(m.content_hash().len(), 64);
    let r = m.run("{}", RunOptions::default()).expect("run");
    assert_eq!(r.output, r#"{"price":42}"#);
    assert_eq!(r.value["price"], 42);
    assert!(r.fuel_consumed > 0 && r.http_calls == 0 && r.http_recorded.is_none());
}

#[test]
fn passes_wasm_args_through_and_rejects_non_json_args() {
    let m = load(&host("{}"), &echo());
    let args = r#"{"chainalysis":{"address":"0xabc"},"n":[1,2]}"#;
    assert_eq!(m.run(args, RunOptions::default()).expect("run").output, args);
    assert_eq!(m.run("{nope", RunOptions::default()).expect_err("args").code, ErrorCode::InvalidJson);
}

#[test]
fn load_refuses_core_modules_garbage_and_oversize() {
    let h = host(r#"{"maxModuleBytes":4096}"#);
    let core = wat::parse_str("(module (func (export \"run\")))").expect("core");
    let e = h.load(&core).err().expect("core module");
    assert_eq!(e.code, ErrorCode::PolicyDataInvalid);
    assert!(e.message.contains("core WebAssembly module"), "{}", e.message);
    assert_eq!(h.load(b"\0asm\x0d\0\x01\0garbage").err().expect("garbage").code, ErrorCode::PolicyDataInvalid);
    let big = vec![0u8; 4097];
    assert_eq!(h.load(&big).err().expect("big").code, ErrorCode::PolicyDataTooLarge);
}

#[test]
fn load_refuses_foreign_imports_naming_them() {
    let h = host("{}");
    for name in ["wasi:http/types@0.2.10", "wasi:random/random@0.2.0", "wasi:clocks/wall-clock@0.2.0", "wasi:filesystem/types@0.2.0", "newton:provider/http@0.3.0"] {
        let e = h.load(&importing(name)).err().expect("forbidden");
        assert_eq!(e.code, ErrorCode::PolicyDataForbiddenImport, "{name}");
        assert!(e.message.contains(name), "{}", e.message);
    }
}

#[test]
fn load_requires_the_run_export_with_its_type() {
    let h = host("{}");
    let none = wat::parse_str("(component (core module $m))").expect("fixture");
    assert_eq!(h.load(&none).err().expect("missing").code, ErrorCode::PolicyDataMissingExport);
    let wrong = wat::parse_str(
        r#"(component
  (core module $m (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") (result u32) (canon lift (core func $i "run"))))"#,
    )
    .expect("fixture");
    assert_eq!(h.load(&wrong).err().expect("wrong type").code, ErrorCode::PolicyDataMissingExport);
}

#[test]
fn guest_err_becomes_wasm_execution_failed() {
    let e = run(&load(&host("{}"), &returning(1, "upstream said no"))).expect_err("err");
    assert_eq!(e.code, ErrorCode::PolicyDataGuestError);
    assert_eq!(e.message, "WASM execution failed: upstream said no");
}

#[test]
fn outputs_must_be_bounded_json_objects() {
    let h = host("{}");
    assert_eq!(code(run(&load(&h, &returning(0, "not json")))), ErrorCode::PolicyDataOutputInvalid);
    assert_eq!(code(run(&load(&h, &returning(0, "[1,2]")))), ErrorCode::PolicyDataOutputNotObject);
    // 2 MiB of zero bytes (valid UTF-8) from a 40-page memory.
    let huge = component(&[], 40, "", &ret(0, "(i32.const 65536)", "(i32.const 2097152)"));
    assert_eq!(code(run(&load(&h, &huge))), ErrorCode::PolicyDataOutputTooLarge);
}

#[test]
fn traps_carry_their_reason() {
    let e = run(&load(&host("{}"), &doing("", "unreachable"))).expect_err("trap");
    assert_eq!(e.code, ErrorCode::PolicyDataTrap);
    assert!(e.message.contains("unreachable"), "{}", e.message);
    let oob = doing("", "(drop (i32.load (i32.const -4)))");
    let e = run(&load(&host("{}"), &oob)).expect_err("oob");
    assert_eq!(e.code, ErrorCode::PolicyDataTrap);
    assert!(e.message.contains("out of bounds"), "{}", e.message);
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    let started = Instant::now();
    let e = run(&load(&host("{}"), &doing("", "(loop $l (br $l))"))).expect_err("fuel");
    assert_eq!(e.code, ErrorCode::PolicyDataLimitFuel);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn the_wall_clock_backstop_interrupts() {
    let h = host(r#"{"fuel":1000000000000000,"timeoutMs":200}"#);
    let started = Instant::now();
    let e = run(&load(&h, &doing("", "(loop $l (br $l))"))).expect_err("time");
    assert_eq!(e.code, ErrorCode::PolicyDataLimitTime);
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(190) && took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_memory_growth_bomb_hits_the_cap() {
    let h = host(r#"{"memoryBytes":16777216}"#);
    let bomb = doing("", "(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable");
    let e = run(&load(&h, &bomb)).expect_err("memory");
    assert_eq!(e.code, ErrorCode::PolicyDataLimitMemory);
    assert!(e.message.contains("16777216"), "{}", e.message);
}

#[test]
fn deep_recursion_hits_the_stack_cap() {
    let items = "(func $down (param i32) (result i32) (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))";
    let e = run(&load(&host("{}"), &doing(items, "(drop (call $down (i32.const 0)))"))).expect_err("stack");
    assert_eq!(e.code, ErrorCode::PolicyDataLimitStack);
}

#[test]
fn secrets_are_handed_over_only_when_configured() {
    let m = load(&host("{}"), &reading_secrets());
    assert_eq!(m.imports(), ["newton:provider/secrets@0.2.0"]);
    let secrets = Secrets::from_json(r#"{"API_KEY":"k-123"}"#).expect("secrets");
    let r = m.run("{}", RunOptions { secrets: Some(secrets), ..RunOptions::default() }).expect("run");
    assert_eq!(r.output, r#"{"API_KEY":"k-123"}"#);
    let e = run(&m).expect_err("no secrets");
    assert_eq!(e.message, "WASM execution failed: no secrets configured for this policy data");
}

#[test]
fn tlsn_is_reported_unsupported_never_faked() {
    let e = run(&load(&host("{}"), &verifying_tlsn())).expect_err("unsupported");
    assert_eq!(e.code, ErrorCode::PolicyDataGuestError);
    assert_eq!(e.message, "WASM execution failed: tlsn verification is not supported by this host");
}

#[test]
fn legacy_worlds_are_detected() {
    let m = load(&host("{}"), &fetching("0.1.0", "http://10.0.0.1/", 1));
    assert_eq!(m.wit_version(), WitVersion::V0_1_0);
    assert_eq!(m.imports(), ["newton:provider/http@0.1.0"]);
}

#[test]
fn output_is_deterministic_across_runs_and_hosts() {
    let wasm = returning(0, r#"{"a":1.5,"b":[true,null],"c":"x"}"#);
    let (a, b) = (load(&host("{}"), &wasm), load(&host("{}"), &wasm));
    let first = a.run(r#"{"k":1}"#, RunOptions::default()).expect("run");
    for m in [&a, &b, &a, &b] {
        let r = m.run(r#"{"k":1}"#, RunOptions::default()).expect("run");
        assert_eq!(r.output.as_bytes(), first.output.as_bytes());
        assert_eq!(r.fuel_consumed, first.fuel_consumed);
    }
    assert_eq!(a.content_hash(), b.content_hash());
}

#[test]
fn merge_outputs_is_shallow_last_wins() {
    let h = host("{}");
    let outs: Vec<_> = [r#"{"a":{"x":1},"b":1}"#, r#"{"a":{"y":2}}"#]
        .iter()
        .map(|t| load(&h, &returning(0, t)).run("{}", RunOptions::default()).expect("run").value)
        .collect();
    assert_eq!(serde_json::Value::Object(merge_outputs(&outs)), serde_json::json!({"a":{"y":2},"b":1}));
}

#[test]
fn compiled_artifacts_persist_in_a_private_cache_dir() {
    let dir = std::env::temp_dir().join(format!("newton-pd-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = HostConfig { cache_dir: Some(dir.clone()), ..HostConfig::default() };
    let wasm = returning(0, r#"{"cached":true}"#);
    let first = PolicyDataHost::new(config.clone()).expect("host");
    assert_eq!(run(&load(&first, &wasm)).expect("run"), r#"{"cached":true}"#);
    let files: Vec<_> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
    // A second host loads the artifact; a corrupted artifact is discarded and recompiled.
    let second = PolicyDataHost::new(config.clone()).expect("host");
    assert_eq!(run(&load(&second, &wasm)).expect("run"), r#"{"cached":true}"#);
    std::fs::write(&files[0], b"not an artifact").expect("corrupt");
    let third = PolicyDataHost::new(config).expect("host");
    assert_eq!(run(&load(&third, &wasm)).expect("run"), r#"{"cached":true}"#);
    assert!(std::fs::read(&files[0]).expect("rewritten").len() > 100);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serves_many_threads_at_once() {
    let h = Arc::new(host(r#"{"maxInstances":4}"#));
    let m = load(&h, &echo());
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let m = m.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let args = format!(r#"{{"thread":{t},"i":{i}}}"#);
                    assert_eq!(m.run(&args, RunOptions::default()).expect("run").output, args);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0) * 4096
}

#[test]
fn a_thousand_adversarial_runs_leave_the_host_serving_with_flat_memory() {
    let h = host(r#"{"fuel":2000000,"memoryBytes":16777216}"#);
    let cases = [
        (load(&h, &doing("", "(loop $l (br $l))")), ErrorCode::PolicyDataLimitFuel),
        (load(&h, &doing("", "(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable")), ErrorCode::PolicyDataLimitMemory),
        (load(&h, &doing("(func $d (result i32) (i32.add (call $d) (i32.const 1)))", "(drop (call $d))")), ErrorCode::PolicyDataLimitStack),
        (load(&h, &doing("", "unreachable")), ErrorCode::PolicyDataTrap),
        (load(&h, &component(&[], 40, "", &ret(0, "(i32.const 65536)", "(i32.const 2097152)"))), ErrorCode::PolicyDataOutputTooLarge),
        (load(&h, &returning(0, "nope")), ErrorCode::PolicyDataOutputInvalid),
        (load(&h, &returning(1, "no")), ErrorCode::PolicyDataGuestError),
        (load(&h, &fetching("0.2.0", "http://10.0.0.1/x", 1)), ErrorCode::PolicyDataHttpForbidden),
    ];
    let good = load(&h, &returning(0, r#"{"ok":true}"#));
    let mut baseline = 0;
    for i in 0..1000 {
        let (m, want) = &cases[i % cases.len()];
        assert_eq!(code(run(m)), *want, "run {i}");
        if i == 199 {
            baseline = rss_bytes();
        }
    }
    assert_eq!(run(&good).expect("still serving"), r#"{"ok":true}"#);
    let grown = rss_bytes().saturating_sub(baseline);
    assert!(grown < 64 * 1024 * 1024, "RSS grew by {grown} bytes over 800 adversarial runs");
}
