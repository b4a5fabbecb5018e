//! `newton.crypto.*`: secp256k1 signer recovery. `tlsn_verify` is declared but unsupported.

use alloy_primitives::{hex, Address, Signature, SignatureError, B256};
use anyhow::{anyhow, bail, Result};
use newton_core::ErrorCode;
use regorus::Value;

use super::{args, str_arg};

/// `ecdsa_recover_signer(sig, hash)`: the EIP-55 address that signed the 32-byte `hash`.
pub(super) fn ecdsa_recover_signer(name: &str, a: &[Value]) -> Result<Value> {
    let [sig, hash] = args(name, a)?;
    let sig = signature(name, sig)?;
    let hash = hex_arg(name, "hash", hash)?;
    let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) else {
        bail!("{name}: hash must be 32 bytes, got {}", hash.len());
    };
    signer(name, sig.recover_address_from_prehash(&B256::from(hash)))
}

/// `ecdsa_recover_signer_personal(sig, msg)`: the signer of the EIP-191 personal message `msg`.
pub(super) fn ecdsa_recover_signer_personal(name: &str, a: &[Value]) -> Result<Value> {
    let [sig, msg] = args(name, a)?;
    let sig = signature(name, sig)?;
    let msg = str_arg(name, "message", msg)?;
    signer(name, sig.recover_address_from_msg(msg.as_bytes()))
}

/// `tlsn_verify(presentation, notary_key)`: always an error; this engine cannot verify
/// TLSNotary presentations, and a fake answer would be worse than a deny.
pub(super) fn tlsn_verify(name: &str, a: &[Value]) -> Result<Value> {
    args::<2>(name, a)?;
    bail!(
        "{}: {name} is not supported yet (TLSNotary presentations cannot be verified by this engine)",
        ErrorCode::BuiltinUnsupported.as_str()
    )
}

/// A 65-byte `r‖s‖v` hex signature with `v` ∈ {0, 1, 27, 28}.
fn signature(name: &str, v: &Value) -> Result<Signature> {
    let bytes = hex_arg(name, "signature", v)?;
    let Ok(raw) = <&[u8; 65]>::try_from(bytes.as_slice()) else {
        bail!(
            "{name}: signature must be 65 bytes (r‖s‖v), got {}",
            bytes.len()
        );
    };
    if !matches!(raw[64], 0 | 1 | 27 | 28) {
        bail!(
            "{name}: signature v must be 0, 1, 27 or 28, got {}",
            raw[64]
        );
    }
    Signature::from_raw_array(raw).map_err(|e| anyhow!("{name}: invalid signature: {e}"))
}

/// Hex string argument, `0x` optional.
fn hex_arg(name: &str, what: &str, v: &Value) -> Result<Vec<u8>> {
    let s = str_arg(name, what, v)?;
    hex::decode(s.strip_prefix("0x").unwrap_or(s))
        .map_err(|e| anyhow!("{name}: {what} is not valid hex: {e}"))
}

fn signer(name: &str, recovered: Result<Address, SignatureError>) -> Result<Value> {
    match recovered {
        Ok(address) => Ok(Value::from(address.to_checksum(None))),
        Err(e) => bail!("{name}: signer recovery failed: {e}"),
    }
}
