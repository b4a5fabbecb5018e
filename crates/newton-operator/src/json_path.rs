//! JSONPath spellings (`$.a["b c"][0]`) that name where operators' data disagree.

/// `path` extended by an object key: `.key` for identifiers, `["key"]` otherwise.
pub(crate) fn key(path: &str, key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    match identifier {
        true => format!("{path}.{key}"),
        false => format!("{path}[{}]", serde_json::Value::from(key)),
    }
}

/// `path` extended by an array index.
pub(crate) fn index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_quoted_unless_identifiers() {
        assert_eq!(super::key("$", "price"), "$.price");
        assert_eq!(super::key("$", "_x1"), "$._x1");
        assert_eq!(super::key("$.a", "b c"), r#"$.a["b c"]"#);
        assert_eq!(super::key("$", "1st"), r#"$["1st"]"#);
        assert_eq!(super::key("$", "q\""), r#"$["q\""]"#);
        assert_eq!(super::index("$.a", 3), "$.a[3]");
    }
}
