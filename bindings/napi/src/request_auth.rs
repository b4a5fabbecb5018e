//! The gateway's EIP-712 signature on operator requests (newton-operator's request_auth), signed
//! and recovered on the libuv pool: secp256k1 and keccak natively instead of on the event loop.

use crate::convert::{b256, key32};
use crate::error::guard;
use crate::job::{job, Job};
use alloy_primitives::hex;
use napi::bindgen_prelude::{AsyncTask, Either};
use napi_derive::napi;
use newton_core::{Error, Result};
use newton_operator::RequestClaims;

/// What the gateway signs about one request; times are unix milliseconds.
#[napi(object)]
pub struct OperatorRequestClaims {
    pub method: String,
    pub task_id: String,
    pub operator_id: String,
    /// The params JSON exactly as sent.
    pub params_text: String,
    pub issued_at: f64,
    pub deadline: f64,
}

struct Owned {
    method: String,
    task_id: alloy_primitives::B256,
    operator_id: alloy_primitives::B256,
    params_text: String,
    issued_at: u64,
    deadline: u64,
}

impl Owned {
    fn claims(&self) -> RequestClaims<'_> {
        RequestClaims {
            method: &self.method,
            task_id: self.task_id,
            operator_id: self.operator_id,
            params_text: &self.params_text,
            issued_at: self.issued_at,
            deadline: self.deadline,
        }
    }
}

fn millis(what: &str, value: f64) -> Result<u64> {
    if value.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&value) {
        return Ok(value as u64);
    }
    Err(Error::invalid_argument(format!("{what} must be whole unix milliseconds, got {value}")))
}

fn owned(c: OperatorRequestClaims) -> Result<Owned> {
    Ok(Owned {
        task_id: b256("taskId", &Either::A(c.task_id))?,
        operator_id: b256("operatorId", &Either::A(c.operator_id))?,
        issued_at: millis("issuedAt", c.issued_at)?,
        deadline: millis("deadline", c.deadline)?,
        method: c.method,
        params_text: c.params_text,
    })
}

/// The 65-byte signature (0x-hex) of `claims` with the gateway's secp256k1 secret key (0x-hex).
#[napi(ts_return_type = "Promise<string>")]
pub fn sign_operator_request(secret_key: String, claims: OperatorRequestClaims) -> napi::Result<AsyncTask<Job<String>>> {
    let (key, claims) = guard(|| Ok((key32("secretKey", &secret_key)?, owned(claims)?)))?;
    Ok(job(move || Ok(hex::encode_prefixed(newton_operator::sign_request(&key, &claims.claims())?))))
}

/// The address (0x, checksummed) that signed `claims`; NEWTON_ERR_UNAUTHORIZED when the signature
/// is malformed or recovers to no key.
#[napi(ts_return_type = "Promise<string>")]
pub fn recover_operator_request_signer(claims: OperatorRequestClaims, signature: String) -> napi::Result<AsyncTask<Job<String>>> {
    let claims = guard(|| owned(claims))?;
    Ok(job(move || {
        let bytes = hex::decode(&signature).map_err(|_| Error::new(newton_core::ErrorCode::Unauthorized, "the gateway signature is not hex".to_owned()))?;
        Ok(newton_operator::recover_request_signer(&claims.claims(), &bytes)?.to_checksum(None))
    }))
}
