//! End-to-end tests of the Newton builtins through real regorus evaluation (Rego v1).

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::NaiveDate;
use newton_policy::builtins::{register, with_context, EvalContext, NEWTON_BUILTINS};
use regorus::{Engine, Value};
use serde_json::json;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test/vectors/newton/vectors.json"
));

/// An engine with the builtins registered and `package t` holding `rules`.
fn engine(rules: &str) -> Engine {
    let mut e = Engine::new();
    register(&mut e, false).expect("register builtins");
    e.add_policy("t.rego".into(), format!("package t\n{rules}\n"))
        .expect("policy parses");
    e
}

/// Evaluates `x := <expr>` under `ctx`.
fn eval(ctx: &EvalContext, expr: &str) -> anyhow::Result<Value> {
    let mut e = engine(&format!("x := {expr}"));
    with_context(ctx, || e.eval_rule("data.t.x".into())).0
}

fn ok(ctx: &EvalContext, expr: &str) -> Value {
    eval(ctx, expr).unwrap_or_else(|e| panic!("{expr}: {e:#}"))
}

fn is_true(ctx: &EvalContext, expr: &str) -> bool {
    match ok(ctx, expr) {
        Value::Bool(b) => b,
        other => panic!("{expr} gave {other}"),
    }
}

/// The error text of `expr`, which must fail.
fn err(ctx: &EvalContext, expr: &str) -> String {
    match eval(ctx, expr) {
        Ok(v) => panic!("{expr} gave {v}, expected an error"),
        Err(e) => format!("{e:#}"),
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn object(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    v.as_object().cloned().expect("test object")
}

/// A context with `kyc` identity fields and, if given, a reference date.
fn kyc(fields: serde_json::Value, reference: Option<&str>) -> EvalContext {
    EvalContext {
        identity: object(json!({ "kyc": fields })),
        reference_date: reference.map(date),
        ..EvalContext::default()
    }
}

fn approved(reference: &str) -> EvalContext {
    kyc(
        json!({
            "status": "approved", "address_country_code": "US", "address_subdivision": "CA",
            "birthdate": "2008-06-15", "expiration_date": "2030-01-01", "issue_date": "2020-01-01",
        }),
        Some(reference),
    )
}

// ---- crypto ------------------------------------------------------------------------------

fn crypto_case(id: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(VECTORS).expect("vectors.json");
    v["newton_crypto_builtins"]["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == id).cloned())
        .unwrap_or_else(|| panic!("vector {id}"))
}

fn field(case: &serde_json::Value, key: &str) -> String {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key}"))
        .to_string()
}

/// `sig` with its last byte (v) replaced.
fn with_v(sig: &str, v: &str) -> String {
    format!("{}{v}", &sig[..sig.len() - 2])
}

#[test]
fn ecdsa_recover_signer_vector() {
    let case = crypto_case("ecdsa_recover_signer_raw");
    let (sig, hash, want) = (
        field(&case, "signature"),
        field(&case, "message_hash"),
        field(&case, "expected_signer"),
    );
    let none = EvalContext::default();
    let call = |s: &str, h: &str| {
        ok(
            &none,
            &format!(r#"newton.crypto.ecdsa_recover_signer("{s}", "{h}")"#),
        )
    };
    assert_eq!(call(&sig, &hash), Value::from(want.as_str()));
    assert_eq!(
        call(&sig[2..], &hash[2..]),
        Value::from(want.as_str()),
        "0x is optional"
    );
    assert!(sig.ends_with("1b"));
    assert_eq!(
        call(&with_v(&sig, "00"), &hash),
        Value::from(want.as_str()),
        "v = 0"
    );
    let e = err(
        &none,
        &format!(
            r#"newton.crypto.ecdsa_recover_signer("{}", "{hash}")"#,
            with_v(&sig, "02")
        ),
    );
    assert!(
        e.contains("newton.crypto.ecdsa_recover_signer: signature v must be 0, 1, 27 or 28"),
        "{e}"
    );
}

#[test]
fn ecdsa_recover_signer_personal_vector() {
    let case = crypto_case("ecdsa_recover_signer_personal");
    let (sig, msg, want) = (
        field(&case, "signature"),
        field(&case, "message_utf8"),
        field(&case, "expected_signer"),
    );
    let none = EvalContext::default();
    let call = |s: &str| {
        ok(
            &none,
            &format!(r#"newton.crypto.ecdsa_recover_signer_personal("{s}", "{msg}")"#),
        )
    };
    assert_eq!(call(&sig), Value::from(want.as_str()));
    assert!(sig.ends_with("1c"));
    assert_eq!(
        call(&with_v(&sig, "01")),
        Value::from(want.as_str()),
        "v = 1"
    );
    // A different message recovers some other address, never the signer.
    let other = ok(
        &none,
        &format!(r#"newton.crypto.ecdsa_recover_signer_personal("{sig}", "Hello")"#),
    );
    assert_ne!(other, Value::from(want.as_str()));
}

#[test]
fn ecdsa_bad_lengths_never_recover() {
    let case = crypto_case("ecdsa_recover_signer_bad_lengths");
    let raw = crypto_case("ecdsa_recover_signer_raw");
    let (short_sig, short_hash) = (
        field(&case, "signature_too_short"),
        field(&case, "hash_too_short"),
    );
    let (sig, hash) = (field(&raw, "signature"), field(&raw, "message_hash"));
    let none = EvalContext::default();
    let e = err(
        &none,
        &format!(r#"newton.crypto.ecdsa_recover_signer("{short_sig}", "{hash}")"#),
    );
    assert!(
        e.contains("newton.crypto.ecdsa_recover_signer: signature must be 65 bytes"),
        "{e}"
    );
    let e = err(
        &none,
        &format!(r#"newton.crypto.ecdsa_recover_signer("{sig}", "{short_hash}")"#),
    );
    assert!(
        e.contains("newton.crypto.ecdsa_recover_signer: hash must be 32 bytes, got 2"),
        "{e}"
    );
    let e = err(
        &none,
        &format!(r#"newton.crypto.ecdsa_recover_signer_personal("{short_sig}", "hi")"#),
    );
    assert!(e.contains("signature must be 65 bytes"), "{e}");
    let e = err(
        &none,
        &format!(r#"newton.crypto.ecdsa_recover_signer("0xzz", "{hash}")"#),
    );
    assert!(e.contains("signature is not valid hex"), "{e}");
    let e = err(
        &none,
        &format!(r#"newton.crypto.ecdsa_recover_signer(1, "{hash}")"#),
    );
    assert!(
        e.contains("newton.crypto.ecdsa_recover_signer: signature must be a string, got 1"),
        "{e}"
    );
}

#[test]
fn tlsn_verify_is_unsupported() {
    let e = err(
        &EvalContext::default(),
        r#"newton.crypto.tlsn_verify("AAAA", "02ab")"#,
    );
    assert!(
        e.contains(
            "NEWTON_ERR_BUILTIN_UNSUPPORTED: newton.crypto.tlsn_verify is not supported yet"
        ),
        "{e}"
    );
}

#[test]
fn extension_errors_are_evaluation_errors() {
    // Even behind `default` and inside `not`, a builtin error fails the whole evaluation
    // (regorus does not turn it into undefined); the engine maps that to deny.
    let mut e = engine(
        "default allow := false\n\
         allow if not newton.crypto.tlsn_verify(\"AAAA\", \"02ab\").verified",
    );
    let msg = format!(
        "{:#}",
        e.eval_rule("data.t.allow".into()).expect_err("must fail")
    );
    assert!(
        msg.contains("NEWTON_ERR_BUILTIN_UNSUPPORTED: newton.crypto.tlsn_verify"),
        "{msg}"
    );
    assert!(
        msg.contains("t.rego:"),
        "regorus adds the call's location: {msg}"
    );
    // An undefined argument skips the call: the result is undefined, not an error.
    assert_eq!(
        ok(
            &EvalContext::default(),
            "newton.crypto.tlsn_verify(input.nope, \"k\")"
        ),
        Value::Undefined
    );
}

// ---- identity ----------------------------------------------------------------------------

#[test]
fn identity_get_merges_domains() {
    let ctx = EvalContext {
        identity: object(json!({
            "kyc": {"status": "approved", "score": 7},
            "social": {"handle": "@newton", "score": 9},
        })),
        ..EvalContext::default()
    };
    assert_eq!(
        ok(&ctx, r#"newton.identity.get("status")"#),
        Value::from("approved")
    );
    assert_eq!(
        ok(&ctx, r#"newton.identity.get("handle")"#),
        Value::from("@newton")
    );
    assert_eq!(
        ok(&ctx, r#"newton.identity.get("score")"#),
        Value::from(9),
        "later domain wins"
    );
    assert_eq!(
        ok(&ctx, r#"newton.identity.get("missing")"#),
        Value::Undefined
    );
    assert_eq!(
        ok(&EvalContext::default(), r#"newton.identity.get("status")"#),
        Value::Undefined
    );
    assert!(
        err(&ctx, "newton.identity.get(1)").contains("newton.identity.get: field must be a string")
    );
}

#[test]
fn kyc_check_approved() {
    let ctx = approved("2026-06-15");
    assert!(is_true(&ctx, "newton.identity.kyc.check_approved()"));
    assert!(!is_true(
        &kyc(json!({"status": "pending"}), None),
        "newton.identity.kyc.check_approved()"
    ));
    assert!(!is_true(
        &EvalContext::default(),
        "newton.identity.kyc.check_approved()"
    ));
    // A full policy in the shape real policies use.
    let mut e = engine(
        "default allow := false\n\
         allow if {\n  newton.identity.kyc.check_approved()\n  newton.identity.kyc.age_gte(18)\n  \
         newton.identity.kyc.not_expired()\n  newton.identity.kyc.address_in_countries([\"US\", \"CA\"])\n}",
    );
    assert_eq!(
        with_context(&ctx, || e.eval_rule("data.t.allow".into())).0.ok(),
        Some(Value::from(true))
    );
}

#[test]
fn kyc_address_in_countries() {
    let ctx = approved("2026-01-01");
    let f = "newton.identity.kyc.address_in_countries";
    assert!(is_true(&ctx, &format!(r#"{f}(["CA", "US"])"#)));
    assert!(
        is_true(&ctx, &format!(r#"{f}({{"US"}})"#)),
        "sets are accepted"
    );
    assert!(!is_true(&ctx, &format!(r#"{f}(["DE", "FR"])"#)));
    assert!(!is_true(
        &kyc(json!({"address_country_code": "USA"}), None),
        &format!(r#"{f}(["USA"])"#)
    ));
    assert!(err(&ctx, &format!("{f}([])"))
        .contains(&format!("{f}: expected a non-empty array of strings")));
    assert!(err(&ctx, &format!(r#"{f}("US")"#)).contains("expected a non-empty array of strings"));
    assert!(err(&ctx, &format!(r#"{f}(["US", 1])"#)).contains("must be a string"));
    let e = err(
        &kyc(json!({"address_country_code": ""}), None),
        &format!(r#"{f}(["US"])"#),
    );
    assert!(
        e.contains(&format!(
            "{f}: kyc field `address_country_code` is missing or empty"
        )),
        "{e}"
    );
}

#[test]
fn kyc_address_subdivisions() {
    let ctx = approved("2026-01-01");
    let (inside, outside) = (
        "newton.identity.kyc.address_in_subdivision",
        "newton.identity.kyc.address_not_in_subdivision",
    );
    assert!(is_true(&ctx, &format!(r#"{inside}(["US-NY", "US-CA"])"#)));
    assert!(!is_true(&ctx, &format!(r#"{inside}(["US-NY"])"#)));
    assert!(
        !is_true(&ctx, &format!(r#"{inside}(["CA"])"#)),
        "needs the full ISO 3166-2 code"
    );
    assert!(is_true(&ctx, &format!(r#"{outside}(["US-NY"])"#)));
    assert!(!is_true(&ctx, &format!(r#"{outside}(["US-CA"])"#)));
    for f in [inside, outside] {
        assert!(
            err(&ctx, &format!("{f}([])")).contains(&format!("{f}: expected a non-empty array"))
        );
        let no_sub = kyc(json!({"address_country_code": "US"}), None);
        assert!(err(&no_sub, &format!(r#"{f}(["US-CA"])"#))
            .contains("`address_subdivision` is missing or empty"));
    }
}

#[test]
fn kyc_age_gte_boundaries() {
    let f = "newton.identity.kyc.age_gte";
    // Born 2008-06-15: 18 exactly on 2026-06-15, not the day before.
    assert!(is_true(&approved("2026-06-15"), &format!("{f}(18)")));
    assert!(!is_true(&approved("2026-06-14"), &format!("{f}(18)")));
    assert!(!is_true(&approved("2026-06-15"), &format!("{f}(19)")));
    // A 29 February birthday completes the year on 1 March in a non-leap year.
    let leap = |r: &str| kyc(json!({"birthdate": "2000-02-29"}), Some(r));
    assert!(!is_true(&leap("2018-02-28"), &format!("{f}(18)")));
    assert!(is_true(&leap("2018-03-01"), &format!("{f}(18)")));
    assert!(is_true(&leap("2020-02-29"), &format!("{f}(20)")));
    let ctx = approved("2026-06-15");
    assert!(err(&ctx, &format!("{f}(-1)"))
        .contains(&format!("{f}: expected a positive integer, got -1")));
    assert!(err(&ctx, &format!("{f}(0)")).contains("expected a positive integer, got 0"));
    assert!(err(&ctx, &format!("{f}(18.5)")).contains("expected a positive integer, got 18.5"));
    assert!(
        err(&ctx, &format!(r#"{f}("18")"#)).contains(r#"expected a positive integer, got "18""#)
    );
    assert!(
        err(&approved("2001-01-01"), &format!("{f}(1)")).contains("is after the reference date")
    );
    let bad = kyc(json!({"birthdate": "15/06/2008"}), Some("2026-01-01"));
    assert!(
        err(&bad, &format!("{f}(1)")).contains("kyc field `birthdate` must be a YYYY-MM-DD date")
    );
}

#[test]
fn kyc_expiry_and_issue_boundaries() {
    // expiration 2030-01-01, issued 2020-01-01
    assert!(
        is_true(&approved("2030-01-01"), "newton.identity.kyc.not_expired()"),
        "expiry day is valid"
    );
    assert!(!is_true(
        &approved("2030-01-02"),
        "newton.identity.kyc.not_expired()"
    ));
    assert!(is_true(
        &approved("2029-12-02"),
        "newton.identity.kyc.valid_for(30)"
    ));
    assert!(!is_true(
        &approved("2029-12-02"),
        "newton.identity.kyc.valid_for(31)"
    ));
    assert!(is_true(
        &approved("2020-01-31"),
        "newton.identity.kyc.issued_since(30)"
    ));
    assert!(!is_true(
        &approved("2020-01-31"),
        "newton.identity.kyc.issued_since(31)"
    ));
    assert!(
        !is_true(
            &approved("2019-12-01"),
            "newton.identity.kyc.issued_since(1)"
        ),
        "issued in the future"
    );
    for f in [
        "newton.identity.kyc.valid_for",
        "newton.identity.kyc.issued_since",
    ] {
        assert!(err(&approved("2026-01-01"), &format!("{f}(0)"))
            .contains(&format!("{f}: expected a positive integer, got 0")));
    }
}

#[test]
fn kyc_reference_date_source() {
    let fields = json!({"birthdate": "2000-01-01", "expiration_date": "2030-01-01", "reference_date": "2017-12-31"});
    // Neither the context nor the kyc data has one: an error, never the wall clock.
    let mut undated = approved("2026-01-01");
    undated.reference_date = None;
    for check in [
        "age_gte(18)",
        "not_expired()",
        "valid_for(1)",
        "issued_since(1)",
    ] {
        let e = err(&undated, &format!("newton.identity.kyc.{check}"));
        assert!(
            e.contains("no reference date: pass one (--reference-date)"),
            "{e}"
        );
    }
    // The kyc domain's field is the fallback; the context's date overrides it.
    assert!(!is_true(
        &kyc(fields.clone(), None),
        "newton.identity.kyc.age_gte(18)"
    ));
    assert!(is_true(
        &kyc(fields, Some("2018-01-01")),
        "newton.identity.kyc.age_gte(18)"
    ));
}

// ---- confidential ------------------------------------------------------------------------

fn lists() -> EvalContext {
    EvalContext {
        confidential: object(json!({
            "blacklist": {"addresses": ["0xAbCdEf0000000000000000000000000000000001"]},
            "newton.privacy.blacklist": {"addresses": ["dead00000000000000000000000000000000beef"]},
            "newton.confidential.allowlist": {"addresses": []},
        })),
        ..EvalContext::default()
    }
}

#[test]
fn confidential_contains_normalizes_addresses() {
    for ns in ["newton.confidential", "newton.privacy"] {
        let ctx = lists();
        let contains = |addr: &str| is_true(&ctx, &format!(r#"{ns}.blacklist.contains("{addr}")"#));
        assert!(contains("0xabcdef0000000000000000000000000000000001"));
        assert!(
            contains("ABCDEF0000000000000000000000000000000001"),
            "no 0x, upper case"
        );
        assert!(
            contains("0xDEAD00000000000000000000000000000000BEEF"),
            "list entry without 0x"
        );
        assert!(!contains("0xabcdef0000000000000000000000000000000002"));
        assert!(!is_true(
            &ctx,
            &format!(r#"{ns}.allowlist.contains("0xabcdef0000000000000000000000000000000001")"#)
        ));
        let e = err(&ctx, &format!(r#"{ns}.blacklist.contains("")"#));
        assert!(
            e.contains(&format!(
                "{ns}.blacklist.contains: expected a non-empty address"
            )),
            "{e}"
        );
        assert_eq!(ok(&ctx, &format!("{ns}.blacklist.count()")), Value::from(2));
        assert_eq!(ok(&ctx, &format!("{ns}.allowlist.count()")), Value::from(0));
    }
}

#[test]
fn confidential_get_and_missing_data() {
    for ns in ["newton.confidential", "newton.privacy"] {
        let ctx = lists();
        assert_eq!(
            ok(&ctx, &format!(r#"{ns}.get("blacklist_count")"#)),
            Value::from(2)
        );
        assert_eq!(
            ok(&ctx, &format!(r#"{ns}.get("blacklist_addresses")"#)),
            Value::from(vec![
                Value::from("0xAbCdEf0000000000000000000000000000000001"),
                Value::from("dead00000000000000000000000000000000beef"),
            ])
        );
        assert_eq!(
            ok(&ctx, &format!(r#"{ns}.get("allowlist_addresses")"#)),
            Value::from(Vec::<Value>::new())
        );
        assert_eq!(ok(&ctx, &format!(r#"{ns}.get("other")"#)), Value::Undefined);
        let none = EvalContext::default();
        assert_eq!(
            ok(&none, &format!(r#"{ns}.get("blacklist_count")"#)),
            Value::Undefined
        );
        // No list at all fails closed.
        let e = err(&none, &format!(r#"{ns}.blacklist.contains("0x01")"#));
        assert!(e.contains("no blacklist data was provided"), "{e}");
        assert!(err(&none, &format!("{ns}.allowlist.count()")).contains("no allowlist data"));
    }
    let bad = EvalContext {
        confidential: object(json!({"blacklist": {"addresses": "0x01"}})),
        ..EvalContext::default()
    };
    assert!(err(&bad, "newton.confidential.blacklist.count()")
        .contains("confidential domain `blacklist` must be"));
}

// ---- time --------------------------------------------------------------------------------

#[test]
fn time_functions() {
    let c = EvalContext::default();
    let n = |expr: &str| ok(&c, &format!("newton.time.{expr}"));
    let b = |expr: &str| is_true(&c, &format!("newton.time.{expr}"));
    assert_eq!(
        n(r#"days_between("2024-01-01", "2024-03-01")"#),
        Value::from(60),
        "leap February"
    );
    assert_eq!(
        n(r#"days_between("2023-03-01", "2023-01-01")"#),
        Value::from(59),
        "absolute"
    );
    assert_eq!(
        n(r#"days_since("2023-03-01", "2024-03-01")"#),
        Value::from(366)
    );
    assert_eq!(
        n(r#"days_since("2024-03-01", "2024-01-01")"#),
        Value::from(-60),
        "signed"
    );
    assert!(b(r#"is_within_days("2024-03-01", "2024-01-31", 30)"#));
    assert!(!b(r#"is_within_days("2024-03-01", "2024-01-31", 29)"#));
    assert!(b(r#"is_within_days("2024-01-31", "2024-01-31", 0)"#));
    assert!(b(r#"is_before("2024-01-01", "2024-01-02")"#));
    assert!(!b(r#"is_before("2024-01-02", "2024-01-02")"#), "strict");
    assert!(b(r#"is_after("2024-01-03", "2024-01-02")"#));
    assert!(!b(r#"is_after("2024-01-02", "2024-01-02")"#), "strict");
    assert_eq!(
        n(r#"age_years("2000-02-29", "2024-02-28")"#),
        Value::from(23)
    );
    assert_eq!(
        n(r#"age_years("2000-02-29", "2024-02-29")"#),
        Value::from(24)
    );
    assert_eq!(
        n(r#"age_years("2000-02-29", "2023-03-01")"#),
        Value::from(23)
    );
    assert_eq!(
        n(r#"age_years("2000-01-01", "2000-01-01")"#),
        Value::from(0)
    );
    let e = |expr: &str| err(&c, &format!("newton.time.{expr}"));
    assert!(e(r#"age_years("2024-01-02", "2024-01-01")"#)
        .contains("newton.time.age_years: birthdate 2024-01-02 is after"));
    assert!(e(r#"is_within_days("2024-01-01", "2024-01-01", -1)"#)
        .contains("expected a non-negative integer, got -1"));
    assert!(e(r#"days_between("2023-02-29", "2024-01-01")"#)
        .contains(r#"date_a must be a YYYY-MM-DD date, got "2023-02-29""#));
    assert!(e(r#"days_since("2024-01-01", 20240101)"#)
        .contains("newton.time.days_since: reference_date must be a string"));
}

// ---- registration and context isolation --------------------------------------------------

#[test]
fn every_listed_builtin_is_registered() {
    for (name, arity) in NEWTON_BUILTINS {
        let args = vec!["\"x\""; usize::from(*arity)].join(", ");
        if let Err(e) = eval(&lists(), &format!("{name}({args})")) {
            let e = format!("{e:#}");
            assert!(
                !e.contains("could not find function"),
                "{name} is not registered: {e}"
            );
            assert!(
                e.contains(&format!("error: {name}:")) || name.ends_with("tlsn_verify"),
                "{name} unnamed in: {e}"
            );
        }
    }
}

#[test]
fn contexts_are_isolated_per_evaluation() {
    let compiled = engine(r#"status := newton.identity.get("status")"#);
    let (a, b) = (
        kyc(json!({"status": "approved"}), None),
        kyc(json!({"status": "pending"}), None),
    );
    let status = |ctx: &EvalContext| {
        let mut e = compiled.clone();
        with_context(ctx, || e.eval_rule("data.t.status".into())).0.expect("eval")
    };
    assert_eq!(status(&a), Value::from("approved"));
    assert_eq!(status(&b), Value::from("pending"));
    assert_eq!(
        compiled.clone().eval_rule("data.t.status".into()).ok(),
        Some(Value::Undefined),
        "no context"
    );

    // Concurrent evaluations on other threads see only their own context.
    let handles: Vec<_> = [("approved", a.clone()), ("pending", b.clone())]
        .into_iter()
        .map(|(want, ctx)| {
            let mut e = compiled.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let got =
                        with_context(&ctx, || e.eval_rule("data.t.status".into())).0.expect("eval");
                    assert_eq!(got, Value::from(want));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
}

#[test]
fn nested_contexts_restore() {
    let compiled = engine(r#"status := newton.identity.get("status")"#);
    let (a, b) = (
        kyc(json!({"status": "outer"}), None),
        kyc(json!({"status": "inner"}), None),
    );
    let status = || {
        compiled
            .clone()
            .eval_rule("data.t.status".into())
            .expect("eval")
    };
    let ((inner, after_inner, after_panic), failure) = with_context(&a, || {
        let inner = with_context(&b, status).0;
        let after_inner = status();
        let panicked = catch_unwind(AssertUnwindSafe(|| with_context(&b, || panic!("boom"))));
        assert!(panicked.is_err());
        (inner, after_inner, status())
    });
    assert!(failure.is_none());
    assert_eq!(inner, Value::from("inner"));
    assert_eq!(after_inner, Value::from("outer"));
    assert_eq!(after_panic, Value::from("outer"), "restored after a panic");
    assert_eq!(status(), Value::Undefined, "nothing installed afterwards");
}
