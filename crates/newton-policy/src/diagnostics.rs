//! Classifies regorus's `anyhow` errors into stable codes, pulling out the `--> file:line:col`
//! location regorus prints so callers get structured details.

use newton_core::{Error, ErrorCode};
use regex::Regex;
use serde_json::json;
use std::sync::LazyLock;

static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-->\s*(.+?):(\d+):(\d+)").expect("static regex"));
static ERROR_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^error:\s*(.+)$").expect("static regex"));

/// Builds an error of `code` from a regorus failure, keeping its location when it has one.
pub fn from_regorus(code: ErrorCode, err: &anyhow::Error) -> Error {
    let text = format!("{err:#}");
    // Errors raised by our own builtins carry their code as a message prefix.
    let code = ErrorCode::ALL
        .iter()
        .copied()
        .find(|c| text.contains(&format!("{}:", c.as_str())))
        .unwrap_or(code);
    let reason = ERROR_LINE
        .captures(&text)
        .map(|c| c[1].trim().to_string())
        .unwrap_or_else(|| text.trim().to_string());
    match LOCATION.captures(&text) {
        Some(c) => {
            let (file, line, column) = (&c[1], &c[2], &c[3]);
            Error::new(code, format!("{file}:{line}:{column}: {reason}")).with_details(json!({
                "file": file,
                "line": line.parse::<u64>().unwrap_or(0),
                "column": column.parse::<u64>().unwrap_or(0),
                "source": text.trim(),
            }))
        }
        None => Error::new(code, reason),
    }
}

/// Maps an error raised during evaluation to its code: a breached limit keeps its own code
/// (and the location of the expression that breached it, when regorus gave one).
pub fn eval_error(err: &anyhow::Error) -> Error {
    use regorus::LimitError as L;
    let code = match err.chain().find_map(|e| e.downcast_ref::<L>()) {
        Some(L::TimeLimitExceeded { .. }) => ErrorCode::LimitTime,
        Some(L::MemoryLimitExceeded { .. }) => ErrorCode::LimitMemory,
        Some(L::DepthLimitExceeded { .. }) => ErrorCode::PolicyEvalDepth,
        Some(L::ElementLimitExceeded { .. }) => ErrorCode::PolicyLimitElements,
        Some(L::StringLimitExceeded { .. }) => ErrorCode::PolicyLimitStringBytes,
        Some(L::IntegerLimitExceeded { .. }) => ErrorCode::PolicyLimitInteger,
        Some(L::RegexSizeLimitExceeded { .. }) => ErrorCode::LimitSize,
        None => return from_regorus(ErrorCode::PolicyEval, err),
    };
    let mut error = from_regorus(code, err);
    error.code = code;
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_location_and_reason() {
        let err = anyhow::anyhow!("\n--> q.rego:3:4\n  |\n3 |  x := \n  |    ^\nerror: expecting `}}` while parsing set");
        let e = from_regorus(ErrorCode::PolicyParse, &err);
        assert_eq!(e.code, ErrorCode::PolicyParse);
        assert_eq!(e.message, "q.rego:3:4: expecting `}` while parsing set");
        let d = e.details.expect("details");
        assert_eq!((d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some("q.rego"), Some(3), Some(4)));
    }

    #[test]
    fn keeps_codes_raised_by_builtins() {
        let err = anyhow::anyhow!("NEWTON_ERR_BUILTIN_UNSUPPORTED: newton.crypto.tlsn_verify is not supported yet");
        assert_eq!(from_regorus(ErrorCode::PolicyEval, &err).code, ErrorCode::BuiltinUnsupported);
    }
}
