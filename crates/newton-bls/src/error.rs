//! Maps blst's status codes onto the shared error table.

use blst::BLST_ERROR;
use newton_core::{Error, ErrorCode};

/// The error for a blst failure on `what` (e.g. "public key").
pub(crate) fn from_blst(err: BLST_ERROR, what: &str) -> Error {
    let (code, why) = match err {
        BLST_ERROR::BLST_BAD_ENCODING => (ErrorCode::BlsBadEncoding, "is malformed"),
        BLST_ERROR::BLST_POINT_NOT_ON_CURVE => (ErrorCode::BlsBadEncoding, "is not on the curve"),
        BLST_ERROR::BLST_POINT_NOT_IN_GROUP => (
            ErrorCode::BlsBadEncoding,
            "is not in the prime-order subgroup",
        ),
        BLST_ERROR::BLST_PK_IS_INFINITY => (ErrorCode::BlsKeyInvalid, "is the point at infinity"),
        BLST_ERROR::BLST_BAD_SCALAR => (
            ErrorCode::BlsKeyInvalid,
            "is zero or not below the group order",
        ),
        BLST_ERROR::BLST_VERIFY_FAIL => (ErrorCode::SignatureInvalid, "does not verify"),
        BLST_ERROR::BLST_AGGR_TYPE_MISMATCH => (
            ErrorCode::InvalidArgument,
            "cannot be aggregated (empty or mixed input)",
        ),
        BLST_ERROR::BLST_SUCCESS => (ErrorCode::Internal, "failed with a success status"),
    };
    Error::new(code, format!("BLS {what} {why}"))
}

/// The error for `bytes` that are not `expected` bytes long.
pub(crate) fn bad_length(what: &str, expected: usize, bytes: &[u8]) -> Error {
    Error::new(
        ErrorCode::BlsBadEncoding,
        format!("a BLS {what} is {expected} bytes, got {}", bytes.len()),
    )
}
