//! Schema versions of the crates' SQLite stores, kept in `PRAGMA user_version`.
//!
//! Version 0 is a file no build has stamped yet: new, or written before stores carried a
//! version (those have the version-1 tables). A version above the one a build knows was written
//! by a newer newton-engine and is refused rather than read with the wrong schema.

use crate::{Error, ErrorCode, Result};
use std::path::Path;

/// Checks the `user_version` read from the store at `path` against `known`, the newest schema
/// this build writes. Older versions are the caller's to migrate; a newer one (written by a newer
/// newton-engine) or a negative one → `Store`, with both versions in the details.
pub fn check_schema_version(store: &str, path: &Path, found: i64, known: i64) -> Result<()> {
    let why = match found {
        _ if (0..=known).contains(&found) => return Ok(()),
        _ if found > known => format!(
            "schema version {found} is newer than this newton-engine knows ({known}): upgrade \
             newton-engine to open it, or open another file"
        ),
        _ => format!("schema version {found} is not a newton-engine schema version"),
    };
    Err(Error::new(ErrorCode::Store, format!("{store} {}: {why}", path.display()))
        .with_details(serde_json::json!({ "schema_version": found, "known_schema_version": known })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_versions_pass_and_newer_or_negative_ones_are_store_errors() {
        let path = Path::new("x.db");
        for found in [0, 1, 2] {
            check_schema_version("test store", path, found, 2).unwrap();
        }
        for found in [3, i64::from(i32::MAX)] {
            let err = check_schema_version("test store", path, found, 2).unwrap_err();
            assert_eq!(err.code, ErrorCode::Store);
            let expected = format!("test store x.db: schema version {found} is newer than this newton-engine knows (2)");
            assert!(err.message.starts_with(&expected), "{}", err.message);
            assert_eq!(err.details.unwrap()["schema_version"], found);
        }
        let err = check_schema_version("test store", path, -1, 2).unwrap_err();
        assert_eq!(err.code, ErrorCode::Store);
        assert!(err.message.ends_with("schema version -1 is not a newton-engine schema version"), "{}", err.message);
    }
}
