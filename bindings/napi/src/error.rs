//! One error path out of Rust: a `newton_core::Error` becomes a JS error whose message is the
//! error's JSON (`{code, message, details?}`); the TS wrapper turns it into a `NewtonError`.
//! Panics are caught here and surface as `NEWTON_ERR_INTERNAL`.

use newton_core::Error;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub fn to_napi(err: Error) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, err.to_json())
}

/// Runs `f`, turning both its error and any panic into a JS error.
pub fn guard<T>(f: impl FnOnce() -> newton_core::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(to_napi),
        Err(panic) => Err(to_napi(Error::from_panic("panic in native code", panic.as_ref()))),
    }
}

/// The error-code table as JSON: `[{code, rpcCode, description}]`.
#[napi_derive::napi]
pub fn error_codes() -> String {
    newton_core::ErrorCode::table_json()
}
