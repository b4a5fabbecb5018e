//! JSON → regorus values without the serde round trip. regorus's `From<serde_json::Value>`
//! takes the value by move and re-deserializes it through its visitor, so a borrowed document
//! had to be cloned first; this walks the borrowed tree once and builds the same values.

use serde_json::Value;
use std::collections::BTreeMap;

/// The regorus value of `value`, equal to `regorus::Value::from(value.clone())`.
pub(crate) fn to_regorus(value: &Value) -> regorus::Value {
    match value {
        Value::Null => regorus::Value::Null,
        Value::Bool(b) => regorus::Value::from(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => regorus::Value::from(u),
            (None, Some(i)) => regorus::Value::from(i),
            // serde_json holds only finite floats.
            (None, None) => regorus::Value::from(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => regorus::Value::from(s.as_str()),
        Value::Array(items) => regorus::Value::from(items.iter().map(to_regorus).collect::<Vec<_>>()),
        Value::Object(map) => regorus::Value::from(
            map.iter().map(|(k, v)| (regorus::Value::from(k.as_str()), to_regorus(v))).collect::<BTreeMap<_, _>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equals_the_serde_conversion() {
        let doc = json!({
            "s": "x", "e": "", "t": true, "n": null,
            "u": u64::MAX, "i": i64::MIN, "f": 1.5, "g": 1e300, "z": -0.0,
            "a": [1, "2", [3], {}], "o": {"k": {"deep": [null]}}, "empty": []
        });
        assert_eq!(to_regorus(&doc), regorus::Value::from(doc.clone()));
        for scalar in [json!(0), json!(-1), json!(0.1), json!("é"), json!([])] {
            assert_eq!(to_regorus(&scalar), regorus::Value::from(scalar.clone()));
        }
    }
}
