//! The consensus rules, by example and as properties.

use alloy_primitives::{keccak256, Address};
use newton_core::ErrorCode;
use newton_operator::{consensus, PolicyDataOutput, PreparedData, DEFAULT_TOLERANCE};
use proptest::prelude::*;
use serde_json::{json, Value};

fn prepared(outputs: &[Value]) -> PreparedData {
    let policy_data = outputs
        .iter()
        .enumerate()
        .map(|(i, v)| PolicyDataOutput::new(Address::repeat_byte(i as u8 + 1), v.as_object().expect("object").clone()).unwrap())
        .collect();
    PreparedData { task_id: keccak256("task"), policy_data }
}

fn agree(operators: &[Value]) -> newton_core::Result<Value> {
    let results: Vec<_> = operators.iter().map(|v| prepared(std::slice::from_ref(v))).collect();
    consensus(&results, DEFAULT_TOLERANCE).map(|p| Value::Object(p.policy_data[0].data.clone()))
}

#[test]
fn numbers_become_the_lower_median_and_everything_else_must_match() {
    let agreed = agree(&[
        json!({"px": 101, "ok": true, "list": [1.5, "a"], "s": {"n": 10}}),
        json!({"px": 99, "ok": true, "list": [1.45, "a"], "s": {"n": 10}}),
        json!({"px": 100, "ok": true, "list": [1.55, "a"], "s": {"n": 10.0}}),
        json!({"px": 102, "ok": true, "list": [1.5, "a"], "s": {"n": 10}}),
    ])
    .expect("agreed");
    assert_eq!(agreed, json!({"px": 100, "ok": true, "list": [1.5, "a"], "s": {"n": 10}}));
}

#[test]
fn failures_name_the_json_path() {
    let cases = [
        (json!({"a": {"b c": [1, 200]}}), json!({"a": {"b c": [1, 100]}}), ErrorCode::ConsensusToleranceExceeded, r#"$.a["b c"][1]"#),
        (json!({"s": "x"}), json!({"s": "y"}), ErrorCode::ConsensusFailed, "$.s"),
        (json!({"b": true}), json!({"b": false}), ErrorCode::ConsensusFailed, "$.b"),
        (json!({"n": 1}), json!({"n": "1"}), ErrorCode::ConsensusFailed, "$.n"),
        (json!({"o": {"x": 1}}), json!({"o": {"y": 1}}), ErrorCode::ConsensusFailed, "$.o"),
        (json!({"l": [1]}), json!({"l": [1, 1]}), ErrorCode::ConsensusFailed, "$.l"),
        (json!({"z": 0}), json!({"z": 0.001}), ErrorCode::ConsensusToleranceExceeded, "$.z"),
    ];
    for (a, b, code, path) in cases {
        let err = agree(&[a.clone(), b.clone()]).expect_err("disagree");
        assert_eq!((err.code, err.details.as_ref().unwrap()["path"].as_str()), (code, Some(path)), "{a} vs {b}: {err}");
        assert!(err.message.contains(path), "{}", err.message);
        assert_eq!(err.details.unwrap()["policy_data_address"], json!(Address::repeat_byte(1)));
    }
}

#[test]
fn results_must_be_for_one_task_and_the_same_contracts() {
    assert_eq!(consensus(&[], DEFAULT_TOLERANCE).unwrap_err().code, ErrorCode::ConsensusFailed);
    let one = prepared(&[json!({"a": 1})]);
    let mut other_task = one.clone();
    other_task.task_id = keccak256("other");
    let two = prepared(&[json!({"a": 1}), json!({"b": 1})]);
    for bad in [other_task, two] {
        assert_eq!(consensus(&[one.clone(), bad], DEFAULT_TOLERANCE).unwrap_err().code, ErrorCode::ConsensusFailed);
    }
    let mut lying = one.clone();
    lying.policy_data[0].digest = keccak256("lie");
    assert_eq!(consensus(&[one.clone(), lying], DEFAULT_TOLERANCE).unwrap_err().code, ErrorCode::InvalidArgument);
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        assert_eq!(consensus(std::slice::from_ref(&one), bad).unwrap_err().code, ErrorCode::InvalidArgument);
    }
}

#[test]
fn numbers_compare_as_their_canonical_doubles() {
    // u64::MAX and u64::MAX - 1 print as the same RFC 8785 number: one digest, no disagreement.
    let (a, b) = (prepared(&[json!({"n": u64::MAX})]), prepared(&[json!({"n": u64::MAX - 1})]));
    assert_eq!(a.policy_data[0].digest, b.policy_data[0].digest);
    consensus(&[a, b], 0.0).expect("one canonical number");
    let exact = 1u64 << 53;
    let err = consensus(&[prepared(&[json!({"n": exact, "s": 1})]), prepared(&[json!({"n": exact + 2, "s": 1})])], 0.0)
        .expect_err("2^53 and 2^53 + 2 are distinct doubles");
    assert_eq!(err.code, ErrorCode::ConsensusToleranceExceeded);
}

/// Any JSON document (objects, arrays, strings, booleans, null, integers and floats).
fn document() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        "[a-z ]{0,8}".prop_map(Value::from),
    ];
    let inner = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,4}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map("[a-z_]{1,4}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn identical_data_is_used_as_is(doc in document(), n in 1usize..6) {
        let agreed = agree(&vec![doc.clone(); n]).unwrap();
        prop_assert_eq!(agreed, doc);
    }

    #[test]
    fn values_within_tolerance_agree_on_a_reported_lower_median(
        median in 1i64..1_000_000_000,
        offsets in prop::collection::vec(-1000i64..=1000, 1..8),
        negative in any::<bool>(),
    ) {
        // Every value within 4 % of `median` (itself reported), so within 10 % of the lower median.
        let sign = if negative { -1 } else { 1 };
        let mut values: Vec<i64> = offsets.iter().map(|o| sign * (median + median / 25 * o / 1000)).collect();
        values.push(sign * median);
        let docs: Vec<Value> = values.iter().map(|v| json!({"x": v})).collect();
        let agreed = agree(&docs).unwrap();
        let mut sorted = values.clone();
        sorted.sort();
        let lower_median = sorted[(sorted.len() - 1) / 2];
        prop_assert_eq!(&agreed["x"], &json!(lower_median));
        prop_assert!(values.contains(&lower_median));
    }

    #[test]
    fn agreement_does_not_depend_on_operator_order(values in prop::collection::vec(97.0f64..103.0, 1..7), rotate in 0usize..7) {
        let docs: Vec<Value> = values.iter().map(|v| json!({"p": v})).collect();
        let mut rotated = docs.clone();
        rotated.rotate_left(rotate % docs.len());
        prop_assert_eq!(agree(&docs).unwrap(), agree(&rotated).unwrap());
    }

    #[test]
    fn one_value_beyond_tolerance_fails_naming_its_path(base in 1u32..1_000_000, key in "[a-z]{1,6}", n in 2usize..6) {
        let mut docs: Vec<Value> = (0..n).map(|_| json!({"k": {key.clone(): base}})).collect();
        docs.push(json!({"k": {key.clone(): u64::from(base) * 2 + 1}}));
        let err = agree(&docs).unwrap_err();
        prop_assert_eq!(err.code, ErrorCode::ConsensusToleranceExceeded);
        prop_assert_eq!(&err.details.unwrap()["path"], &json!(format!("$.k.{key}")));
    }

    #[test]
    fn a_zero_median_needs_all_zeros(nonzero in prop::num::i64::ANY.prop_filter("nonzero", |v| *v != 0), zeros in 2usize..5) {
        let mut docs: Vec<Value> = (0..zeros).map(|_| json!({"z": 0})).collect();
        docs.push(json!({"z": nonzero}));
        prop_assert_eq!(agree(&docs).unwrap_err().code, ErrorCode::ConsensusToleranceExceeded);
    }

    #[test]
    fn differing_strings_never_agree(a in "[a-z]{1,8}", b in "[a-z]{1,8}") {
        prop_assume!(a != b);
        let err = agree(&[json!({"s": [a]}), json!({"s": [b]})]).unwrap_err();
        prop_assert_eq!(err.code, ErrorCode::ConsensusFailed);
        prop_assert_eq!(&err.details.unwrap()["path"], &json!("$.s[0]"));
    }
}
