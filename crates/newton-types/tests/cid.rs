//! Content ids of policy files.

use newton_types::cid::{cid_v1_raw, verify_cid_v1_raw};

/// `quickstart-policies/empty_secrets_schema.json` byte for byte: pretty-printed with two-space
/// indents and a trailing newline. The compact one-line form (with or without a newline) and the
/// file without its final newline all hash to other CIDs.
const EMPTY_SECRETS_SCHEMA: &str =
    "{\n  \"type\": \"object\",\n  \"properties\": {},\n  \"additionalProperties\": false\n}\n";
const EMPTY_SECRETS_SCHEMA_CID: &str = "bafkreicpgvnkvplbxkvrimbytd3s2zns35dcj76xyoz3fdpnn3bt2j3ixy";

#[test]
fn empty_secrets_schema_cid() {
    assert_eq!(cid_v1_raw(EMPTY_SECRETS_SCHEMA.as_bytes()), EMPTY_SECRETS_SCHEMA_CID);
    assert!(verify_cid_v1_raw(EMPTY_SECRETS_SCHEMA_CID, EMPTY_SECRETS_SCHEMA.as_bytes()));
}

#[test]
fn other_encodings_of_the_schema_do_not_match() {
    let compact = r#"{"type":"object","properties":{},"additionalProperties":false}"#;
    for variant in
        [compact.to_owned(), format!("{compact}\n"), EMPTY_SECRETS_SCHEMA.trim_end().to_owned()]
    {
        assert!(!verify_cid_v1_raw(EMPTY_SECRETS_SCHEMA_CID, variant.as_bytes()), "{variant:?}");
    }
}

#[test]
fn cid_shape() {
    let cid = cid_v1_raw(b"");
    // 36 bytes → 58 base32 characters, plus the multibase prefix; sha2-256("") is well known.
    assert_eq!(cid, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    assert!(!verify_cid_v1_raw(&cid.to_uppercase(), b""));
    assert!(!verify_cid_v1_raw(&cid, b"x"));
}
