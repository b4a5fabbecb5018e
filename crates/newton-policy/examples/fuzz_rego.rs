//! Rego fuzzer (run by `npm run fuzz:rego -- --minutes N`, which restarts it after a crash and
//! keeps the input that caused it). Generates programs from a grammar of rules, functions,
//! comprehensions, builtin calls and references (recursive ones included) and mutates the
//! repository's policies byte by byte, with random JSON inputs, all through proptest strategies.
//! Every input is compiled and evaluated under small limits; a panic caught as
//! `NEWTON_ERR_INTERNAL` or an input slower than the bound is a finding. The input under test is
//! written to `--current FILE` first, so a crash of the whole process leaves it behind.
//!
//! Usage: fuzz_rego --seconds N --seed S --current FILE --corpus FILE...

use newton_core::ErrorCode;
use newton_policy::{CompileOptions, EvalRequest, Limits, Policy, PolicyModule};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::time::{Duration, Instant};

const BUILTINS: &[(&str, usize)] = &[
    ("count", 1),
    ("sum", 1),
    ("max", 1),
    ("sort", 1),
    ("concat", 2),
    ("sprintf", 2),
    ("split", 2),
    ("replace", 3),
    ("numbers.range", 2),
    ("numbers.range_step", 3),
    ("json.marshal", 1),
    ("json.unmarshal", 1),
    ("yaml.unmarshal", 1),
    ("object.union", 2),
    ("object.get", 3),
    ("array.concat", 2),
    ("array.slice", 3),
    ("regex.match", 2),
    ("regex.replace", 3),
    ("to_number", 1),
    ("format_int", 2),
    ("bits.lsh", 2),
    ("units.parse", 1),
    ("lower", 1),
    ("substring", 3),
    ("trim", 2),
    ("indexof", 2),
    ("strings.replace_n", 2),
    ("contains", 2),
    ("abs", 1),
    ("round", 1),
    ("is_number", 1),
    ("union", 1),
    ("intersection", 1),
    ("graph.reachable", 2),
    ("graph.reachable_paths", 2),
    ("base64.decode", 1),
    ("hex.encode", 1),
    ("time.parse_rfc3339_ns", 1),
    ("semver.compare", 2),
    ("glob.match", 3),
    ("json.patch", 2),
    ("object.remove", 2),
    ("strings.reverse", 1),
    ("crypto.sha256", 1),
    ("type_name", 1),
];

fn leaf() -> BoxedStrategy<String> {
    prop_oneof![
        Just("1".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("0.5".to_string()),
        Just("18446744073709551616".to_string()),
        Just("1e308".to_string()),
        Just("1e400".to_string()),
        Just("\"\"".to_string()),
        Just("\"a\"".to_string()),
        Just("\"%v%d%s\"".to_string()),
        Just("\"0\"".to_string()),
        Just("\"1KiB\"".to_string()),
        Just("\"[[[1]]]\"".to_string()),
        Just("\"(a+)+$\"".to_string()),
        Just("\"%0999999d\"".to_string()),
        Just("`raw`".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("x".to_string()),
        Just("input".to_string()),
        Just("input.a".to_string()),
        Just("input.a[0]".to_string()),
        Just("data.params".to_string()),
        Just("data.wasm.w".to_string()),
        Just("data.p".to_string()),
        (0..6usize).prop_map(|i| format!("r{i}")),
        "[a-z]{0,6}".prop_map(|s| format!("{s:?}")),
        any::<i64>().prop_map(|n| n.to_string()),
    ]
    .boxed()
}

fn expr() -> BoxedStrategy<String> {
    leaf()
        .prop_recursive(6, 64, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec(inner.clone(), 1..3).prop_map(|v| format!("{{{}}}", v.join(", "))),
                (inner.clone(), inner.clone()).prop_map(|(k, v)| format!("{{{k}: {v}}}")),
                (0..BUILTINS.len(), prop::collection::vec(inner.clone(), 3)).prop_map(|(i, args)| {
                    let (name, arity) = BUILTINS[i];
                    format!("{name}({})", args[..arity].join(", "))
                }),
                (
                    inner.clone(),
                    inner.clone(),
                    prop::sample::select(vec!["+", "-", "*", "/", "%", "|", "&", "==", "<", "!="])
                )
                    .prop_map(|(a, b, op)| format!("({a} {op} {b})")),
                (inner.clone(), inner.clone()).prop_map(|(t, c)| format!("[{t} | some v in {c}]")),
                (inner.clone(), inner.clone()).prop_map(|(t, c)| format!("{{k: {t} | some k, _ in {c}}}")),
                (0..4usize, inner.clone()).prop_map(|(i, a)| format!("f{i}({a})")),
                inner.clone().prop_map(|e| format!("walk({e}, [_, v])")),
            ]
        })
        .boxed()
}

fn program() -> BoxedStrategy<String> {
    let rule = prop_oneof![
        (0..6usize, expr()).prop_map(|(i, e)| format!("r{i} := {e}\n")),
        (0..4usize, expr()).prop_map(|(i, e)| format!("f{i}(x) := {}\n", e.replace("input.a", "x"))),
        (0..6usize, expr(), expr()).prop_map(|(i, c, e)| format!("r{i} contains v if {{ some v in {c}; v != {e} }}\n")),
        (expr(), expr()).prop_map(|(a, b)| format!("allow if {{ {a}; not {b} }}\n")),
        (expr(), expr()).prop_map(|(d, b)| format!("allow if {{ every v in {d} {{ v != {b} }} }}\n")),
    ];
    prop::collection::vec(rule, 1..8)
        .prop_map(|rules| {
            // Rules of one name must agree in kind; keep the first definition of each head.
            let mut seen = std::collections::HashSet::new();
            let body: String = rules
                .into_iter()
                .filter(|r| {
                    let head = r.split([' ', '(']).next().unwrap_or_default().to_string();
                    head == "allow" || seen.insert(head)
                })
                .collect();
            format!("package p\nimport rego.v1\n\ndefault allow := false\n{body}")
        })
        .boxed()
}

fn mutation(corpus: Vec<String>) -> BoxedStrategy<String> {
    let edit = (any::<prop::sample::Index>(), 0..4u8, "[\\[\\]{}()\"`#\n:=.,|& a-z0-9]{1,8}", 0..64usize);
    (prop::sample::select(corpus), prop::collection::vec(edit, 1..6))
        .prop_map(|(source, edits)| {
            let mut s = source.into_bytes();
            for (at, kind, text, len) in edits {
                let i = at.index(s.len() + 1);
                match kind {
                    0 => drop(s.splice(i..i, text.bytes())),
                    1 => drop(s.drain(i..(i + len).min(s.len()))),
                    2 => {
                        let piece = s[i..(i + len).min(s.len())].to_vec();
                        s.splice(i..i, piece.iter().copied().cycle().take(piece.len() * 8));
                    }
                    _ => drop(s.splice(i..(i + 1).min(s.len()), text.bytes().take(1))),
                }
            }
            String::from_utf8_lossy(&s).into_owned()
        })
        .boxed()
}

fn json_doc() -> BoxedStrategy<serde_json::Value> {
    use serde_json::{json, Value};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(8, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map("[a-c]", inner.clone(), 0..4).prop_map(|m| json!(m)),
        ]
    })
    .prop_map(|v| json!({"a": v, "w": v}))
    .boxed()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let seconds: u64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(1);
    let current = arg("--current").unwrap_or_else(|| "fuzz-current.rego".into());
    let corpus: Vec<String> = args
        .iter()
        .skip_while(|a| *a != "--corpus")
        .skip(1)
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let source = match corpus.is_empty() {
        true => program(),
        false => prop_oneof![3 => program(), 2 => mutation(corpus)].boxed(),
    };
    let options = CompileOptions {
        limits: Limits {
            eval_timeout: Duration::from_millis(100),
            max_eval_elements: 100_000,
            max_eval_string_bytes: 1 << 20,
            ..Limits::default()
        },
        ..CompileOptions::default()
    };
    let (deadline, bound) = (Instant::now() + Duration::from_secs(seconds), Duration::from_secs(5));
    let (mut tried, mut compiled, mut findings) = (0u64, 0u64, 0u64);
    while Instant::now() < deadline {
        let (Ok(source), Ok(doc)) = (source.new_tree(&mut runner), json_doc().new_tree(&mut runner)) else { continue };
        let (source, doc) = (source.current(), doc.current());
        let _ = std::fs::write(&current, format!("# input: {doc}\n{source}"));
        let started = Instant::now();
        let module = [PolicyModule { path: "fuzz.rego".into(), source: source.clone() }];
        let outcome = Policy::compile(&module, "p.allow", options.clone()).map(|policy| {
            compiled += 1;
            let request = EvalRequest::from_json(&serde_json::json!({"input": doc, "wasm": doc}).to_string(), 1 << 20);
            request.and_then(|r| policy.evaluate(&r))
        });
        tried += 1;
        let internal = match &outcome {
            Err(e) | Ok(Err(e)) => e.code == ErrorCode::Internal,
            Ok(Ok(d)) => d.error.as_ref().is_some_and(|e| e.code == ErrorCode::Internal),
        };
        if internal || started.elapsed() > bound {
            findings += 1;
            let what = match &outcome {
                Err(e) | Ok(Err(e)) => e.to_string(),
                Ok(Ok(d)) => format!("{:?}", d.error),
            };
            println!("FINDING {what} after {:?}:\n{source}\n", started.elapsed());
        }
        if tried % 1000 == 0 {
            println!("progress tried={tried} compiled={compiled} findings={findings}");
        }
    }
    println!("done tried={tried} compiled={compiled} findings={findings}");
}
