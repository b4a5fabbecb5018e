//! Consensus over the prepare round: several operators' PolicyData outputs for one task become
//! the one agreed set every operator then evaluates and signs.
//!
//! Identical outputs (same canonical digest) are used as they are. Otherwise the JSON trees are
//! walked together: equal values stay; numbers are normalised to their median when every value
//! is within `tolerance` of it (`|v - median| <= tolerance × |median|`; for an even count the
//! lower middle value, so the agreed number is always one an operator reported, and a zero
//! median therefore needs all zeros); any other difference — strings, booleans, types, object
//! keys, array lengths — fails. Failures name the JSON path in the message and in `details`.
//!
//! Numbers compare as the IEEE doubles RFC 8785 prints them as, so two integers beyond 2^53 that
//! round to the same double are the same number here, as they are in the digests.

use crate::{json_path, PolicyDataOutput, PreparedData};
use newton_core::{Error, ErrorCode, Result};
use serde_json::{json, Map, Number, Value};

/// Newton's default tolerance: 10 % of the median (`two_phase_consensus_tolerance_pct`).
pub const DEFAULT_TOLERANCE: f64 = 0.10;

/// The agreed data of `results` (one [`PreparedData`] per operator) at `tolerance` (a fraction:
/// 0.1 is 10 %).
///
/// Errors: `InvalidArgument` for a tolerance that is negative or not finite;
/// `ConsensusFailed` for no results, results for different tasks or PolicyData contracts, or a
/// non-numeric disagreement; `ConsensusToleranceExceeded` for a number too far from the median.
pub fn consensus(results: &[PreparedData], tolerance: f64) -> Result<PreparedData> {
    if !tolerance.is_finite() || tolerance < 0.0 {
        return Err(Error::invalid_argument(format!("consensus tolerance {tolerance} is not a finite fraction ≥ 0")));
    }
    let Some(first) = results.first() else {
        return Err(Error::new(ErrorCode::ConsensusFailed, "no prepare results to agree on"));
    };
    if let Some(other) = results.iter().find(|r| r.task_id != first.task_id) {
        return Err(failed(format!("prepare results are for tasks {} and {}", first.task_id, other.task_id), "task_id", None));
    }
    let contracts = |r: &PreparedData| r.policy_data.iter().map(|o| o.policy_data_address).collect::<Vec<_>>();
    if let Some(other) = results.iter().find(|r| contracts(r) != contracts(first)) {
        let message = format!(
            "prepare results list different PolicyData contracts: {:?} and {:?}",
            contracts(first),
            contracts(other)
        );
        return Err(failed(message, "policy_data", None));
    }
    let mut policy_data = Vec::with_capacity(first.policy_data.len());
    for i in 0..first.policy_data.len() {
        let column: Vec<&PolicyDataOutput> = results.iter().map(|r| &r.policy_data[i]).collect();
        policy_data.push(agree_output(&column, tolerance)?);
    }
    Ok(PreparedData { task_id: first.task_id, policy_data })
}

/// One PolicyData contract's outputs from every operator → the agreed output.
fn agree_output(outputs: &[&PolicyDataOutput], tolerance: f64) -> Result<PolicyDataOutput> {
    let address = outputs[0].policy_data_address;
    let digests = outputs.iter().map(|o| o.check_digest().map(|()| o.digest)).collect::<Result<Vec<_>>>()?;
    if digests.iter().all(|d| *d == digests[0]) {
        return Ok(outputs[0].clone());
    }
    let values: Vec<Value> = outputs.iter().map(|o| Value::Object(o.data.clone())).collect();
    let refs: Vec<&Value> = values.iter().collect();
    let agreed = agree(&refs, "$", tolerance).map_err(|e| {
        let details = e.details.map(|mut d| {
            d["policy_data_address"] = json!(address);
            d
        });
        Error { message: format!("PolicyData {address}: {}", e.message), details, ..e }
    })?;
    match agreed {
        Value::Object(data) => PolicyDataOutput::new(address, data),
        _ => Err(Error::internal("agreeing on objects produced a non-object")),
    }
}

fn agree(values: &[&Value], path: &str, tolerance: f64) -> Result<Value> {
    let first = values[0];
    if values.iter().all(|v| *v == first) {
        return Ok(first.clone());
    }
    if let Some(numbers) = values.iter().map(|v| v.as_number()).collect::<Option<Vec<_>>>() {
        return median(&numbers, path, tolerance).map(|n| Value::Number(n.clone()));
    }
    match first {
        Value::Object(map) => {
            let maps = values.iter().map(|v| v.as_object()).collect::<Option<Vec<_>>>();
            let Some(maps) = maps.filter(|ms| ms.iter().all(|m| m.len() == map.len() && m.keys().all(|k| map.contains_key(k)))) else {
                return Err(failed(format!("operators disagree at {path}: different types or keys"), path, Some(values)));
            };
            let mut agreed = Map::new();
            for key in map.keys() {
                let column: Vec<&Value> = maps.iter().map(|m| &m[key]).collect();
                agreed.insert(key.clone(), agree(&column, &json_path::key(path, key), tolerance)?);
            }
            Ok(Value::Object(agreed))
        }
        Value::Array(items) => {
            let arrays = values.iter().map(|v| v.as_array()).collect::<Option<Vec<_>>>();
            let Some(arrays) = arrays.filter(|a| a.iter().all(|a| a.len() == items.len())) else {
                return Err(failed(format!("operators disagree at {path}: different types or lengths"), path, Some(values)));
            };
            (0..items.len())
                .map(|i| {
                    let column: Vec<&Value> = arrays.iter().map(|a| &a[i]).collect();
                    agree(&column, &json_path::index(path, i), tolerance)
                })
                .collect::<Result<Vec<_>>>()
                .map(Value::Array)
        }
        _ => Err(failed(format!("operators disagree at {path}"), path, Some(values))),
    }
}

/// The lower-middle number, if every number is within `tolerance` of it.
fn median<'a>(numbers: &[&'a Number], path: &str, tolerance: f64) -> Result<&'a Number> {
    let mut sorted: Vec<(&Number, f64)> = numbers.iter().map(|n| (*n, double(n))).collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (median, m) = sorted[(sorted.len() - 1) / 2];
    let bound = tolerance * m.abs();
    if let Some((far, _)) = sorted.iter().find(|(_, v)| (v - m).abs() > bound) {
        let message = format!(
            "operators disagree at {path}: {far} is more than {}% from the median {median}",
            tolerance * 100.0
        );
        let values: Vec<Value> = numbers.iter().map(|n| Value::Number((*n).clone())).collect();
        let details = json!({"path": path, "values": values, "median": median, "tolerance": tolerance});
        return Err(Error::new(ErrorCode::ConsensusToleranceExceeded, message).with_details(details));
    }
    Ok(median)
}

/// The IEEE double RFC 8785 prints a number as (always `Some` for serde_json's finite
/// numbers; anything else never agrees).
fn double(n: &Number) -> f64 {
    n.as_f64().unwrap_or(f64::INFINITY)
}

fn failed(message: String, path: &str, values: Option<&[&Value]>) -> Error {
    let mut details = json!({"path": path});
    if let Some(values) = values {
        details["values"] = Value::Array(values.iter().map(|v| (*v).clone()).collect());
    }
    Error::new(ErrorCode::ConsensusFailed, message).with_details(details)
}
