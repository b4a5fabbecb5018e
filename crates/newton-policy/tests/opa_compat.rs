//! The OPA builtins that Newton implements over regorus's (`builtins/opa`), through real
//! regorus evaluation. Expected values are OPA's.

use std::time::{Duration, Instant};

use newton_policy::builtins::register;
use regorus::{Engine, Value};
use serde_json::{json, Value as Json};

/// Evaluates `x := <expr>` with the builtins registered; `strict` as OPA's strict mode.
fn eval_with(strict: bool, expr: &str) -> anyhow::Result<Value> {
    let mut e = Engine::new();
    e.set_strict_builtin_errors(strict);
    register(&mut e, strict)?;
    e.add_policy("t.rego".into(), format!("package t\nx := {expr}\n"))?;
    e.eval_rule("data.t.x".into())
}

/// The value of `expr` as JSON.
fn ok(expr: &str) -> Json {
    let v = eval_with(true, expr).unwrap_or_else(|e| panic!("{expr}: {e:#}"));
    serde_json::from_str(&v.to_json_str().expect("JSON")).expect("JSON")
}

/// The strict-mode error of `expr`.
fn err(expr: &str) -> String {
    match eval_with(true, expr) {
        Ok(v) => panic!("{expr} gave {v}"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn errors_are_undefined_unless_strict() {
    for expr in [
        r#"units.parse("x")"#,
        "array.flatten(1)",
        r#"json.match_schema("{", {})"#,
    ] {
        let v = eval_with(false, expr).unwrap_or_else(|e| panic!("{expr}: {e:#}"));
        assert_eq!(v, Value::Undefined, "{expr}");
    }
}

#[test]
fn strings_count_is_go_strings_count() {
    assert_eq!(ok(r#"strings.count("cheese", "e")"#), 3);
    assert_eq!(ok(r#"strings.count("11111", "11")"#), 2);
    assert_eq!(ok(r#"strings.count("dummy", "")"#), 6);
    assert_eq!(ok(r#"strings.count("", "")"#), 1);
    assert_eq!(ok(r#"strings.count("héllo", "")"#), 6);
    assert!(err(r#"strings.count(1, "")"#)
        .contains("strings.count: operand 1 must be string but got number"));
}

#[test]
fn strings_split_n_keeps_the_first_or_last_parts() {
    let split = |args: &str| ok(&format!("strings.split_n({args})"));
    assert_eq!(split(r#""a.b.c.d", ".", 2"#), json!(["a", "b"]));
    assert_eq!(split(r#""a.b.c.d", ".", -2"#), json!(["c", "d"]));
    assert_eq!(split(r#""a.b.c.d", ".", 10"#), json!(["a", "b", "c", "d"]));
    assert_eq!(split(r#""a.b.c.d", ".", -10"#), json!(["a", "b", "c", "d"]));
    assert_eq!(split(r#""a.b", ".", 0"#), json!([]));
    assert_eq!(split(r#""", ".", 2"#), json!([""]));
    assert_eq!(split(r#""aé", "", -1"#), json!(["é"]));
    assert_eq!(split(r#""", "", 3"#), json!([]));
    assert!(err(r#"strings.split_n("a", ".", 1.5)"#)
        .contains("operand 3 must be integer number but got floating-point number"));
    assert!(err(r#"strings.split_n("a", ".", "1")"#)
        .contains("operand 3 must be number but got string"));
}

#[test]
fn array_flatten_splices_one_level() {
    assert_eq!(
        ok("array.flatten([[1, [2]], 3, {4}, []])"),
        json!([1, [2], 3, [4]])
    );
    assert!(
        err("array.flatten({1})").contains("array.flatten: operand 1 must be array but got set")
    );
}

#[test]
fn json_is_valid_is_false_for_non_strings() {
    assert_eq!(
        ok(r#"[json.is_valid(`{"a": [1e400]}`), json.is_valid("{"), json.is_valid(1)]"#),
        json!([true, false, false])
    );
}

#[test]
fn yaml_streams_are_read_document_by_document() {
    let valid = |doc: &str| ok(&format!("yaml.is_valid({doc:?})"));
    for (doc, want) in [
        ("a: 1\n---\nb: 2\n", true),
        ("---\n---\n", true),
        ("a: |\n  x\n---\nb: 1\n", true),
        ("a: 1\n---\n\tb: 2\n", false),
        ("a: 1\n...\nb: 2\n", false),
        ("  test:\ntest1: hello\n", false),
    ] {
        assert_eq!(valid(doc), want, "{doc:?}");
    }
    assert_eq!(ok("yaml.is_valid(1)"), false);
    assert_eq!(
        ok(r#"yaml.unmarshal("a: 1\n---\nb: [2]\n")"#),
        json!({"a": 1})
    );
    assert_eq!(ok(r#"yaml.unmarshal("")"#), Json::Null);
    assert!(err(r#"yaml.unmarshal("a: 1\n---\nb: [\n")"#).contains("yaml.unmarshal: "));
}

#[test]
fn json_match_schema_reports_like_opa() {
    let schema = r#"{"properties": {"id": {"type": "integer"}}, "required": ["id"]}"#;
    assert_eq!(
        ok(&format!(r#"json.match_schema({{"id": 5}}, {schema})"#)),
        json!([true, []])
    );
    assert_eq!(
        ok(&format!(r#"json.match_schema(`{{"id": 5}}`, `{schema}`)"#)),
        json!([true, []])
    );
    assert_eq!(
        ok(&format!(r#"json.match_schema({{"id": "foo"}}, {schema})"#)),
        json!([false, [{
            "error": "id: Invalid type. Expected: integer, given: string",
            "type": "invalid_type", "field": "id",
            "desc": "Invalid type. Expected: integer, given: string",
        }]])
    );
    let report =
        |doc: &str, schema: &str| ok(&format!("json.match_schema({doc}, {schema})"))[1].clone();
    // The `error` texts, sorted: with several failures the order can differ from OPA's.
    let descs = |r: Json| {
        let mut texts: Vec<Json> = r
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["error"].clone())
            .collect();
        texts.sort_by_key(Json::to_string);
        texts
    };
    assert_eq!(descs(report("{}", schema)), ["(Root): id is required"]);
    assert_eq!(
        descs(report(
            r#"{"a": [1, 2, 1], "b": 1}"#,
            r#"{"properties": {"a": {"uniqueItems": true}}, "additionalProperties": false}"#
        )),
        [
            "(Root): Additional property b is not allowed",
            "a: array items[0,2] must be unique"
        ]
    );
    assert_eq!(
        descs(report(r#"{"v": 1}"#, r#"{"enum": []}"#)),
        ["(Root): (Root) must be one of the following: (none)"]
    );
    assert!(err(r#"json.match_schema({}, {"type": "unknown"})"#).contains("json.match_schema: "));
    assert!(err(r#"json.match_schema(1, {})"#)
        .contains("json.match_schema: wrong type, expected string or object"));
}

#[test]
fn units_parse_is_exact() {
    let cases = [
        ("1.1Ki", json!(1126.4)),
        ("10KI", json!(10240)),
        ("\"100TI\"", json!(109951162777600u64)),
        ("100mi", json!(104857600)),
        ("500m", json!(0.5)),
        ("-3.5E2m", json!(-0.35)),
        ("1000m", json!(1)),
        ("10e", json!(10000000000000000000u64)),
        ("10Ei", json!(11529215046068469760u64)),
        ("2.5e3K", json!(2500000)),
        (".0", json!(0)),
        ("0.00000000005", json!(0.0000000001)),
        ("0.00000000004999", json!(0)),
        ("9.99999999995", json!(10)),
        ("1e-999999", json!(0)),
    ];
    for (s, want) in cases {
        assert_eq!(ok(&format!("units.parse({s:?})")), want, "{s}");
    }
    assert_eq!(
        ok(r#"units.parse("1e30") == 1000000000000000000000000000000"#),
        true
    );
    assert_eq!(ok(r#"units.parse("1e308") > units.parse("9e307")"#), true);
}

#[test]
fn units_parse_bytes_rounds_like_go_big_float() {
    let cases = [
        ("1.1KiB", json!(1126)),
        ("1.9KiB", json!(1945)),
        ("-1.9KiB", json!(-1945)),
        ("1e-2KB", json!(10)),
        ("\"100TIB\"", json!(109951162777600u64)),
        ("10eib", json!(11529215046068469760u64)),
        ("0.3kb", json!(300)),
        ("12345", json!(12345)),
        ("0.99999999999999999999999", json!(1)),
        ("0.9999999999999999", json!(0)),
        ("-0.5", json!(0)),
        ("1e-999999kb", json!(0)),
    ];
    for (s, want) in cases {
        assert_eq!(ok(&format!("units.parse_bytes({s:?})")), want, "{s}");
    }
    // 2^64 + 1 needs 65 bits: Go's 64-bit mantissa rounds it to 2^64 (ties to even).
    assert_eq!(
        ok(r#"units.parse_bytes("18446744073709551617") == 18446744073709551616"#),
        true
    );
    assert_eq!(
        ok(r#"units.parse_bytes("18446744073709551619") == 18446744073709551620"#),
        true
    );
}

#[test]
fn units_errors_use_opa_wording() {
    for (expr, want) in [
        (r#"units.parse("")"#, "units.parse: no amount provided"),
        (r#"units.parse("5Z")"#, "units.parse: unit Z not recognized"),
        (
            r#"units.parse("10MB")"#,
            "units.parse: unit Mb not recognized",
        ),
        (
            r#"units.parse("0.0.0")"#,
            "units.parse: could not parse amount to a number",
        ),
        (
            r#"units.parse("1e+")"#,
            "units.parse: could not parse amount to a number",
        ),
        (
            r#"units.parse("0.01e-999999")"#,
            "units.parse: could not parse amount to a number",
        ),
        (
            r#"units.parse(" 1K")"#,
            "units.parse: spaces not allowed in resource strings",
        ),
        (
            r#"units.parse("10e10000000Ei")"#,
            "units.parse: exponent too large",
        ),
        (r#"units.parse("1e309")"#, "units.parse: exponent too large"),
        (
            r#"units.parse(1)"#,
            "units.parse: operand 1 must be string but got number",
        ),
        (
            r#"units.parse_bytes("GB")"#,
            "units.parse_bytes: no byte amount provided",
        ),
        (
            r#"units.parse_bytes("1b")"#,
            "units.parse_bytes: byte unit b not recognized",
        ),
        (
            r#"units.parse_bytes(".5.2")"#,
            "units.parse_bytes: could not parse byte amount to a number",
        ),
        (
            r#"units.parse_bytes("1e0000001")"#,
            "units.parse_bytes: exponent too large",
        ),
        (
            r#"units.parse_bytes("1e999999")"#,
            "units.parse_bytes: exponent too large",
        ),
    ] {
        let e = err(expr);
        assert!(e.contains(want), "{expr}: {e}");
    }
}

#[test]
fn units_parse_cost_is_bounded() {
    let long = format!("0.{}1", "0".repeat(200_000));
    let digits = format!("1.{}", "7".repeat(200_000));
    let exprs = [
        r#"units.parse("1e999999")"#.to_string(),
        r#"units.parse_bytes("9.99e308EiB")"#.to_string(),
        r#"units.parse("1e-999999Ei")"#.to_string(),
        format!("units.parse({long:?})"),
        format!("units.parse_bytes({long:?})"),
        format!("units.parse({digits:?})"),
        format!("units.parse_bytes({digits:?})"),
    ];
    for expr in exprs {
        let start = Instant::now();
        let _ = eval_with(true, &expr);
        assert!(
            start.elapsed() < Duration::from_millis(500),
            "{:.40}…",
            expr
        );
    }
}
