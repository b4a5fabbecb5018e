//! The params cache never changes a decision: random params and inputs, evaluated by the same
//! policies with the cache on (default) and off (`params_cache_entries: 0`), give identical
//! Decision JSON. Params come from a small pool so entries are reused and evicted.

use newton_policy::{CompileOptions, Limits, Policy, PolicyModule};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Policies whose params-only rules the cache serves, plus shapes it must leave alone.
const POLICIES: &[&str] = &[
    // The bench policy's shape: a lowered blocklist read by rules that also read input.
    r#"package p
blocked := {lower(a) | some a in data.params.blocked}
allow if {
	not lower(input.to) in blocked
	to_number(input.amount) <= data.params.max
}"#,
    // Partial set rule, a rule built on another, `every`, an object comprehension.
    r#"package p
tokens contains lower(t) if some t in data.params.tokens
limits := {k: w | some k, v in data.params.limits; w := v * 2}
sorted := sort([t | some t in tokens])
all_short if every t in tokens { count(t) < 8 }
allow if {
	input.token in tokens
	input.amount <= object.get(limits, input.token, 0)
	all_short
	count(sorted) > 0
}"#,
    // Params-only rules that fail (strict builtin errors) or are undefined for some params.
    r#"package p
upper_names := [upper(n) | some n in data.params.names]
first := data.params.names[0]
allow if {
	some n in upper_names
	n == upper(input.name)
	first != input.name
}"#,
    // Mixes input into the comprehension: not cacheable, must still agree.
    r#"package p
mine := {a | some a in data.params.blocked; a != input.to}
allow if count(mine) == count(data.params.blocked)
"#,
    // A `with` anywhere turns caching off for the policy.
    r#"package p
blocked := {lower(a) | some a in data.params.blocked}
allow if {
	not input.to in blocked
	not input.to in blocked with data.params.blocked as []
}"#,
];

fn compile(source: &str, cache: usize) -> Policy {
    let modules = [PolicyModule { path: "p.rego".into(), source: source.into() }];
    let limits = Limits { params_cache_entries: cache, ..Limits::default() };
    Policy::compile(&modules, "p.allow", CompileOptions { limits, ..CompileOptions::default() }).expect("compiles")
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["0xAb", "0xab", "ABC", "x", "longer-than-8", "Tok"]).prop_map(|s| json!(s)),
        (-3i64..5).prop_map(|n| json!(n)),
        Just(Value::Null),
    ]
}

fn params() -> impl Strategy<Value = Value> {
    let list = || prop::collection::vec(scalar(), 0..5).prop_map(Value::Array);
    let limits = prop::collection::btree_map(prop::sample::select(vec!["abc", "tok", "x"]), -2i64..6, 0..3)
        .prop_map(|m| json!(m));
    (list(), list(), list(), limits, prop::option::of(0i64..10)).prop_map(|(blocked, tokens, names, limits, max)| {
        let mut p = json!({"blocked": blocked, "tokens": tokens, "names": names, "limits": limits});
        if let Some(max) = max {
            p["max"] = json!(max);
        }
        p
    })
}

fn input() -> impl Strategy<Value = Value> {
    (scalar(), scalar(), scalar(), prop_oneof![(-1i64..8).prop_map(|n| json!(n)), Just(json!("3"))]).prop_map(
        |(to, token, name, amount)| json!({"to": to, "token": token, "name": name, "amount": amount}),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn cached_and_uncached_decide_alike(
        pool in prop::collection::vec(params(), 1..4),
        requests in prop::collection::vec((0usize..4, input()), 1..12),
    ) {
        for source in POLICIES {
            // Two entries for up to three params values: lookups hit, miss and evict.
            let (cached, uncached) = (compile(source, 2), compile(source, 0));
            for (i, input) in &requests {
                let request = json!({"input": input, "params": pool[i % pool.len()]}).to_string();
                let a = cached.evaluate_json(&request).expect("cached evaluates");
                let b = uncached.evaluate_json(&request).expect("uncached evaluates");
                prop_assert_eq!(a, b, "policy:\n{}\nrequest: {}", source, request);
            }
        }
    }
}

#[test]
fn the_cache_serves_the_fixture_shape() {
    // Sanity for the property above: with these params the blocklist rule is cached and used.
    let source = POLICIES[0];
    let request = json!({"input": {"to": "0xAB", "amount": 1}, "params": {"blocked": ["0xAb"], "max": 5}}).to_string();
    let (cached, uncached) = (compile(source, 4), compile(source, 0));
    let a = cached.evaluate_json(&request).expect("evaluates");
    assert_eq!(a, uncached.evaluate_json(&request).expect("evaluates"));
    assert!(a.starts_with(r#"{"allow":false"#), "{a}");
    assert_eq!(cached.params_rules(), ["data.p.blocked"]);
    assert!(uncached.params_rules().is_empty());
    let rules = ["data.p.all_short", "data.p.limits", "data.p.sorted", "data.p.tokens"];
    assert_eq!(compile(POLICIES[1], 4).params_rules(), rules);
    assert_eq!(compile(POLICIES[2], 4).params_rules(), ["data.p.upper_names"]);
    assert!(compile(POLICIES[3], 4).params_rules().is_empty());
    assert!(compile(POLICIES[4], 4).params_rules().is_empty());
}

/// Errors raised inside `with` (upper() of a number or null) and a comprehension over input, for
/// the engine-reuse property below.
const ERRING_WITH: &str = r#"package p
names := [n | some n in data.params.names]
allow if {
	upper(input.name) != "" with data.params.max as 1
	count(names) >= data.params.max with input.to as "x"
}"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    // A policy hands its engine to the next evaluation once one ends with a value: a policy that
    // evaluated a whole sequence decides each request as a freshly compiled policy does.
    #[test]
    fn reused_engines_decide_as_fresh_ones(
        pool in prop::collection::vec(params(), 1..4),
        requests in prop::collection::vec((0usize..4, input()), 1..10),
    ) {
        for source in POLICIES.iter().chain([&ERRING_WITH]) {
            let shared = compile(source, 2);
            for (i, input) in &requests {
                let request = json!({"input": input, "params": pool[i % pool.len()]}).to_string();
                let reused = shared.evaluate_json(&request).expect("evaluates");
                let fresh = compile(source, 2).evaluate_json(&request).expect("evaluates");
                prop_assert_eq!(reused, fresh, "policy:\n{}\nrequest: {}", source, request);
            }
        }
    }
}
