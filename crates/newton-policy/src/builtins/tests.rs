//! Unit tests for the helpers; end-to-end Rego tests live in `tests/builtins.rs`.

use std::collections::BTreeSet;

use super::{confidential::normalize, time::parse_date, BODIES, NEWTON_BUILTINS};

#[test]
fn table_is_consistent() {
    assert_eq!(NEWTON_BUILTINS.len(), BODIES.len());
    assert_eq!(NEWTON_BUILTINS.len(), 28);
    let names: BTreeSet<_> = NEWTON_BUILTINS.iter().map(|(n, _)| n).collect();
    assert_eq!(names.len(), NEWTON_BUILTINS.len(), "duplicate builtin name");
    for (name, arity) in NEWTON_BUILTINS {
        if let Some(alias) = name.strip_prefix("newton.privacy.") {
            let canonical = format!("newton.confidential.{alias}");
            assert!(
                NEWTON_BUILTINS.contains(&(canonical.as_str(), *arity)),
                "{name}"
            );
        }
    }
}

#[test]
fn dates_are_strict() {
    assert!(parse_date("f", "d", "2024-02-29").is_ok());
    for bad in [
        "2023-02-29",
        "2024-2-29",
        "24-02-29",
        "+2024-02-29",
        "2024/02/29",
        "",
        "2024-02-29 ",
    ] {
        assert!(parse_date("f", "d", bad).is_err(), "{bad:?}");
    }
}

#[test]
fn addresses_normalize() {
    assert_eq!(normalize("0xAbC"), "abc");
    assert_eq!(normalize("0XABC"), "abc");
    assert_eq!(normalize("abc"), "abc");
}
