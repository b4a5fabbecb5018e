//! Bounded parsing: refuses Rego source that nests brackets deeper than the limit, in one
//! linear pass before the parser (which recurses per level) ever sees it.

use newton_core::{Error, ErrorCode, Result};
use serde_json::json;

/// Fails with `NEWTON_ERR_LIMIT_DEPTH` at the first `(`, `[` or `{` beyond `max` levels, skipping
/// strings, raw strings and comments.
pub fn check(path: &str, source: &str, max: usize) -> Result<()> {
    let (mut depth, mut line, mut column) = (0usize, 1u64, 0u64);
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        column += 1;
        match c {
            '\n' => (line, column) = (line + 1, 0),
            // A comment runs to the end of the line.
            '#' if chars.by_ref().any(|c| c == '\n') => (line, column) = (line + 1, 0),
            '"' => {
                while let Some(c) = chars.next() {
                    column += 1;
                    match c {
                        '\\' => {
                            chars.next();
                            column += 1;
                        }
                        '"' => break,
                        // Strings cannot span lines (regorus's lexer rejects the newline).
                        '\n' => {
                            (line, column) = (line + 1, 0);
                            break;
                        }
                        _ => {}
                    }
                }
            }
            '`' => {
                for c in chars.by_ref() {
                    column += 1;
                    match c {
                        '`' => break,
                        '\n' => (line, column) = (line + 1, 0),
                        _ => {}
                    }
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > max {
                    let message = format!("{path}:{line}:{column}: brackets nest deeper than the limit of {max}");
                    return Err(Error::new(ErrorCode::LimitDepth, message)
                        .with_details(json!({"file": path, "line": line, "column": column, "limit": max})));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_outside_strings_and_comments() {
        assert!(check("p.rego", "x := [[[1]]]", 3).is_ok());
        let err = check("p.rego", "a := 1\nx := [[[[1]]]]", 3).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (ErrorCode::LimitDepth, "p.rego:2:9: brackets nest deeper than the limit of 3")
        );
        assert!(check("p.rego", "x := \"[[[[\\\"[[[[\" # [[[[[\ny := `[[[[[`", 1).is_ok());
    }

    #[test]
    fn an_unterminated_string_ends_at_its_line() {
        let err = check("p.rego", "x := \"[\ny := [[1]]", 1).unwrap_err();
        assert_eq!(err.message, "p.rego:2:7: brackets nest deeper than the limit of 1");
    }

    #[test]
    fn is_linear_on_a_huge_nesting() {
        let source = format!("package p\nx := {}1{}", "[".repeat(1 << 20), "]".repeat(1 << 20));
        let started = std::time::Instant::now();
        assert_eq!(check("p.rego", &source, 64).unwrap_err().code, ErrorCode::LimitDepth);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
