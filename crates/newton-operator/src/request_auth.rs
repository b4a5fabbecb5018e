//! The gateway's EIP-712 signature on a request to an operator (`OperatorRequest`, domain
//! `{name: "Newton Operator Request", version: "1"}`): the method, the task, the operator it is
//! addressed to (zero for a broadcast), keccak256 of the params JSON text, when it was issued and
//! its deadline (unix ms). The gateway signs with its secp256k1 key; the operator recovers the
//! signer and compares it with the gateway it trusts. The same typed data as viem's
//! `signTypedData` / `recoverTypedDataAddress`, computed natively.

use alloy_primitives::{keccak256, Address, Signature, B256};
use alloy_sol_types::{eip712_domain, Eip712Domain, SolStruct};
use k256::ecdsa::SigningKey;
use newton_core::{Error, ErrorCode, Result};

alloy_sol_types::sol! {
    /// One gateway → operator request.
    struct OperatorRequest { string method; bytes32 taskId; bytes32 operatorId; bytes32 paramsDigest; uint64 issuedAt; uint64 deadline; }
}

const DOMAIN: Eip712Domain = eip712_domain! { name: "Newton Operator Request", version: "1", };

/// What is signed about one request; `params_text` is the params JSON exactly as sent.
pub struct RequestClaims<'a> {
    pub method: &'a str,
    pub task_id: B256,
    pub operator_id: B256,
    pub params_text: &'a str,
    pub issued_at: u64,
    pub deadline: u64,
}

/// The EIP-712 signing hash of `claims`.
pub fn request_digest(claims: &RequestClaims<'_>) -> B256 {
    OperatorRequest {
        method: claims.method.to_owned(),
        taskId: claims.task_id,
        operatorId: claims.operator_id,
        paramsDigest: keccak256(claims.params_text.as_bytes()),
        issuedAt: claims.issued_at,
        deadline: claims.deadline,
    }
    .eip712_signing_hash(&DOMAIN)
}

/// The gateway's side: a 65-byte signature (`r ‖ s ‖ v`, v = 27 or 28) with `secret_key`.
pub fn sign_request(secret_key: &[u8], claims: &RequestClaims<'_>) -> Result<[u8; 65]> {
    let invalid = || Error::new(ErrorCode::InvalidArgument, "the gateway key is not a 32-byte secp256k1 secret key".to_owned());
    let key = <&[u8; 32]>::try_from(secret_key).ok().and_then(|bytes| SigningKey::from_bytes(bytes.into()).ok()).ok_or_else(invalid)?;
    let (signature, recovery) = key
        .sign_prehash_recoverable(request_digest(claims).as_slice())
        .map_err(|e| Error::new(ErrorCode::Internal, format!("signing the operator request failed: {e}")))?;
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&signature.to_bytes());
    out[64] = 27 + recovery.to_byte();
    Ok(out)
}

/// The operator's side: the address that signed `claims`, or `Unauthorized` when the signature
/// is malformed or recovers to no key.
pub fn recover_request_signer(claims: &RequestClaims<'_>, signature: &[u8]) -> Result<Address> {
    let unauthorized = |what: &str| Error::new(ErrorCode::Unauthorized, format!("the gateway signature {what}"));
    let signature = Signature::from_raw(signature).map_err(|_| unauthorized("is not 65 bytes of r, s and v"))?;
    signature.recover_address_from_prehash(&request_digest(claims)).map_err(|_| unauthorized("does not recover to an address"))
}
