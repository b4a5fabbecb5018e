//! Engine behaviour through the public Rust API: compile checks, the decision rule, the
//! evaluation context, limits and concurrent use of one compiled policy.

use newton_core::ErrorCode;
use newton_policy::{CompileOptions, EvalRequest, Limits, ParamsSchema, Policy, PolicyModule};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn module(source: &str) -> Vec<PolicyModule> {
    vec![PolicyModule { path: "policy.rego".into(), source: source.into() }]
}

fn compile(source: &str) -> Policy {
    Policy::compile(&module(source), "p.allow", CompileOptions::default()).expect("compiles")
}

fn eval(policy: &Policy, request: serde_json::Value) -> newton_policy::Decision {
    let request = EvalRequest::from_json(&request.to_string(), 1 << 20).expect("request");
    policy.evaluate(&request).expect("evaluates")
}

fn compile_err(source: &str) -> newton_core::Error {
    Policy::compile(&module(source), "p.allow", CompileOptions::default()).expect_err("must not compile")
}

#[test]
fn allow_only_when_exactly_true() {
    for (value, allow) in [("true", true), ("false", false), ("1", false), ("\"true\"", false), ("{}", false)] {
        let d = eval(&compile(&format!("package p\nallow := {value}\n")), json!({}));
        assert_eq!(d.allow, allow, "{value}");
        assert_eq!(d.reason.is_none(), allow, "{value}");
        let last = if allow { "1" } else { "0" };
        assert!(d.evaluation_result.ends_with(last) && d.evaluation_result.len() == 66);
    }
    let undefined = eval(&compile("package p\nallow if input.nope\n"), json!({}));
    assert!(!undefined.allow && undefined.result.is_none());
    assert_eq!(undefined.reason.as_deref(), Some("data.p.allow is undefined"));
}

#[test]
fn evaluation_errors_are_denies_with_codes() {
    let opts = CompileOptions { strict_builtin_errors: true, ..Default::default() };
    let p = Policy::compile(&module("package p\nallow if to_number(\"x\") > 1\n"), "p.allow", opts).expect("compiles");
    let d = eval(&p, json!({}));
    assert!(!d.allow);
    let err = d.error.expect("error kept");
    assert_eq!(err.code, ErrorCode::PolicyEval);
    assert!(err.message.starts_with("policy.rego:2:"), "{}", err.message);

    let tlsn = eval(&compile("package p\nallow if newton.crypto.tlsn_verify(\"p\", \"k\").verified\n"), json!({}));
    assert_eq!(tlsn.error.map(|e| e.code), Some(ErrorCode::BuiltinUnsupported));
}

#[test]
fn parse_errors_carry_locations_and_v0_is_opt_in() {
    let v0 = "package p\nallow { true }\n";
    let err = compile_err(v0);
    assert_eq!(err.code, ErrorCode::PolicyParse);
    let d = err.details.expect("details");
    assert_eq!((d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some("policy.rego"), Some(2), Some(7)));
    let opts = CompileOptions { rego_v0: true, ..Default::default() };
    let p = Policy::compile(&module(v0), "p.allow", opts).expect("v0 compiles with the option");
    assert!(eval(&p, json!({})).allow);
    for import in ["import rego.v1", "import future.keywords", "import future.keywords.if"] {
        let p = compile(&format!("package p\n{import}\nallow if 1 in [1]\n"));
        assert!(eval(&p, json!({})).allow, "{import}");
    }
}

#[test]
fn nondeterministic_builtins_are_rejected_with_locations() {
    for call in ["http.send({})", "time.now_ns()", "rand.intn(\"k\", 3)", "uuid.rfc4122(\"k\")", "net.lookup_ip_addr(\"x\")", "opa.runtime()"] {
        let err = compile_err(&format!("package p\nallow if {{\n  x := {call}\n  x\n}}\n"));
        assert_eq!(err.code, ErrorCode::PolicyNondeterministic, "{call}");
        let first = &err.details.expect("details")["calls"][0];
        assert_eq!(first["line"], 3, "{call}");
        assert_eq!(first["column"], 8, "{call}");
        assert!(call.starts_with(first["builtin"].as_str().expect("name")), "{call}");
    }
}

#[test]
fn entrypoints_must_name_a_rule() {
    let src = module("package p\nallow := true\n");
    for bad in ["p.nope", "allow", "q.allow", "p allow"] {
        let err = Policy::compile(&src, bad, CompileOptions::default()).expect_err(bad);
        assert_eq!(err.code, ErrorCode::PolicyEntrypoint, "{bad}");
    }
    assert_eq!(Policy::compile(&src, "data.p.allow", CompileOptions::default()).map(|p| p.entrypoint().to_string()).ok().as_deref(), Some("data.p.allow"));
}

#[test]
fn context_is_the_newton_evaluation_context() {
    let src = concat!(
        "package p\n",
        "allow if {\n",
        "  input.function.name == \"transfer\"\n",
        "  input.decoded_function_arguments[1] == \"1\"\n",
        "  input.chain_id == \"11155111\"\n",
        "  data.params.max == 5\n",
        "  data.wasm.kyc == \"approved\"\n",
        "  data.data.kyc == data.wasm.kyc\n",
        "  data.privacy.secret == 42\n",
        "  data.table.k == \"v\"\n",
        "}\n"
    );
    let opts = CompileOptions { data: Some(json!({"table": {"k": "v"}})), ..Default::default() };
    let p = Policy::compile(&module(src), "p.allow", opts).expect("compiles");
    let intent = json!({
        "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "to": "0xb1aD5f82407bC0f19f42b2614fb9083035a36b69",
        "value": "0x0",
        "data": "0xa9059cbb000000000000000000000000e42e3458283032c669c98e0d8f883a92fc64fe220000000000000000000000000000000000000000000000000000000000000001",
        "chain_id": "0xaa36a7",
        "function_signature": "0x7472616e7366657228616464726573732c75696e7432353629"
    });
    let request = json!({"intent": intent, "params": {"max": 5}, "wasm": {"kyc": "approved"}, "privacy": {"secret": 42}});
    let d = eval(&p, request.clone());
    assert!(d.allow, "{d:?}");
    let mut missing_privacy = request;
    missing_privacy.as_object_mut().map(|o| o.remove("privacy"));
    assert!(!eval(&p, missing_privacy).allow);
    let bad_static = CompileOptions { data: Some(json!({"params": {}})), ..Default::default() };
    let err = Policy::compile(&module(src), "p.allow", bad_static).expect_err("reserved key");
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    // Packages may not put rules under the documents each evaluation sets.
    for root in ["params", "wasm", "data", "privacy"] {
        let err = compile_err(&format!("package {root}.p\nallow := true\n"));
        assert_eq!(err.code, ErrorCode::PolicyCompile, "{root}");
        assert!(err.message.contains(&format!("data.{root}")), "{}", err.message);
    }
}

#[test]
fn params_schema_violations_are_errors_before_evaluation() {
    let schema = ParamsSchema::compile(r#"{"type":"object","required":["max"],"properties":{"max":{"type":"integer"}}}"#).expect("schema");
    let opts = CompileOptions { params_schema: Some(schema), ..Default::default() };
    let p = Policy::compile(&module("package p\nallow if data.params.max > 1\n"), "p.allow", opts).expect("compiles");
    assert!(eval(&p, json!({"params": {"max": 2}})).allow);
    let req = EvalRequest::from_json(&json!({"params": {"max": "2"}}).to_string(), 1 << 20).expect("request");
    assert_eq!(p.evaluate(&req).expect_err("violation").code, ErrorCode::ParamsSchemaViolation);
}

#[test]
fn time_limit_is_a_deny_not_a_hang_and_the_policy_keeps_serving() {
    let limits = Limits { eval_timeout: Duration::from_millis(50), ..Default::default() };
    let src = "package p\nr := numbers.range(1, 100000)\nallow if count([x | some x in r; some y in r; x == y]) > 0\nfast := true\n";
    let p = Policy::compile(&module(src), "p.allow", CompileOptions { limits, ..Default::default() }).expect("compiles");
    let started = Instant::now();
    let d = eval(&p, json!({}));
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(d.error.map(|e| e.code), Some(ErrorCode::LimitTime));
    let again = eval(&p, json!({}));
    assert!(!again.allow);
}

#[test]
fn size_limits_are_enforced() {
    let limits = Limits { max_module_bytes: 64, max_modules: 1, max_request_bytes: 32, ..Default::default() };
    let opts = CompileOptions { limits, ..Default::default() };
    let big = format!("package p\nallow := true\n# {}\n", "x".repeat(100));
    assert_eq!(Policy::compile(&module(&big), "p.allow", opts.clone()).expect_err("big").code, ErrorCode::LimitSize);
    let two = [module("package p\nallow := true\n"), module("package q\nx := 1\n")].concat();
    assert_eq!(Policy::compile(&two, "p.allow", opts.clone()).expect_err("count").code, ErrorCode::LimitSize);
    let p = Policy::compile(&module("package p\nallow := true\n"), "p.allow", opts).expect("compiles");
    let err = p.evaluate_json(&json!({"params": {"padding": "x".repeat(64)}}).to_string()).expect_err("request too big");
    assert_eq!(err.code, ErrorCode::LimitSize);
}

#[test]
fn one_compiled_policy_serves_many_threads() {
    let p = Arc::new(compile("package p\nallow if input.n % 2 == 0\n"));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let p = p.clone();
            std::thread::spawn(move || (0..200).all(|i| eval(&p, json!({"input": {"n": t * 1000 + i}})).allow == (i % 2 == 0)))
        })
        .collect();
    assert!(handles.into_iter().all(|h| h.join().expect("thread")));
}

#[test]
fn input_is_undefined_when_not_given_and_unrepresentable_results_are_errors() {
    let p = compile("package p\nallow if not input\n");
    assert!(eval(&p, json!({})).allow, "no input given: `input` is undefined, so `not input` holds");
    let p = compile("package p\nallow if input == {}\n");
    assert!(eval(&p, json!({"input": {}})).allow);
    let huge = eval(&compile("package p\nallow := 1e308 * 10\n"), json!({}));
    assert!(!huge.allow);
    assert_eq!(huge.error.map(|e| e.code), Some(ErrorCode::PolicyEval));
}

#[test]
fn builtin_errors_deny_by_default_and_are_undefined_when_non_strict() {
    let src = "package p\nimport rego.v1\ndefault allow := false\nallow if not count(data.wasm.t) > 3\n";
    let request = EvalRequest::from_json(r#"{"wasm":{"t":null}}"#, 1 << 10).expect("request");
    let strict = compile(src).evaluate(&request).expect("evaluates");
    assert!(!strict.allow);
    let err = strict.error.expect("the builtin error is kept");
    assert_eq!(err.code, ErrorCode::PolicyEval);
    assert!(err.message.starts_with("policy.rego:4:") && err.message.contains("count"), "{}", err.message);
    let options = CompileOptions { strict_builtin_errors: false, ..Default::default() };
    let lax = Policy::compile(&module(src), "p.allow", options).expect("compiles");
    assert!(lax.evaluate(&request).expect("evaluates").allow, "OPA's non-strict semantics allow here");
}

#[test]
fn with_modifiers_override_the_per_evaluation_documents() {
    let p = compile(concat!(
        "package p\n",
        "limit := data.params.max\n",
        "small if data.params.max < 1\n",
        "allow if {\n",
        "  limit == 5\n",
        "  data.params.max == 1 with data.params.max as 1\n",
        "  small with data.params as {\"max\": 0}\n",
        "  not small\n",
        "  data.wasm.k == \"w\" with data.wasm.k as \"w\"\n",
        "  data.wasm.k == \"v\"\n",
        "}\n"
    ));
    assert!(eval(&p, json!({"input": {}, "params": {"max": 5}, "wasm": {"k": "v"}})).allow);
    assert!(!eval(&p, json!({"input": {}, "params": {"max": 4}, "wasm": {"k": "v"}})).allow);
}
