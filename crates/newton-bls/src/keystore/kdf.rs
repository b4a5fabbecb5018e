//! Key derivation: scrypt or PBKDF2-HMAC-SHA256 over the EIP-2335-processed password, with
//! resource caps for keystores read from untrusted JSON.

use super::invalid;
use super::wire::{Hex, KdfModule, Pbkdf2Params, ScryptParams};
use newton_core::Result;
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

const DKLEN: u32 = 32;
const PRF: &str = "hmac-sha256";
/// Caps on untrusted costs: scrypt memory (128·n·r bytes), scrypt lanes, PBKDF2 rounds.
const MAX_SCRYPT_MEMORY: u64 = 1 << 30;
const MAX_SCRYPT_P: u32 = 16;
const MAX_PBKDF2_C: u32 = 1 << 24;

impl KdfModule {
    pub(super) fn scrypt(n: u32, r: u32, p: u32, salt: Vec<u8>) -> Self {
        let params = ScryptParams {
            dklen: DKLEN,
            n,
            p,
            r,
            salt: Hex(salt),
        };
        KdfModule::Scrypt {
            params,
            message: String::new(),
        }
    }

    pub(super) fn pbkdf2(c: u32, salt: Vec<u8>) -> Self {
        let params = Pbkdf2Params {
            dklen: DKLEN,
            c,
            prf: PRF.to_owned(),
            salt: Hex(salt),
        };
        KdfModule::Pbkdf2 {
            params,
            message: String::new(),
        }
    }

    /// `KeystoreInvalid` unless the function and costs are supported and within the caps.
    pub(super) fn validate(&self) -> Result<()> {
        match self {
            KdfModule::Scrypt { params, .. } => params.checked().map(drop),
            KdfModule::Pbkdf2 { params, .. } => params.check(),
        }
    }

    /// The 32-byte decryption key for `password` (already normalized).
    pub(super) fn derive(&self, password: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        let mut dk = Zeroizing::new([0u8; 32]);
        match self {
            KdfModule::Scrypt { params, .. } => {
                let costs = params.checked()?;
                scrypt::scrypt(password, &params.salt.0, &costs, dk.as_mut_slice())
                    .map_err(|e| invalid(format!("scrypt failed: {e}")))?;
            }
            KdfModule::Pbkdf2 { params, .. } => {
                params.check()?;
                pbkdf2::pbkdf2_hmac::<Sha256>(
                    password,
                    &params.salt.0,
                    params.c,
                    dk.as_mut_slice(),
                );
            }
        }
        Ok(dk)
    }
}

impl ScryptParams {
    /// The costs in the `scrypt` crate's form, if supported and within the caps.
    fn checked(&self) -> Result<scrypt::Params> {
        let Self { dklen, n, p, r, .. } = *self;
        let memory = 128 * u64::from(n) * u64::from(r);
        if dklen != DKLEN
            || n < 2
            || !n.is_power_of_two()
            || memory > MAX_SCRYPT_MEMORY
            || p > MAX_SCRYPT_P
        {
            return Err(invalid(format!(
                "unsupported scrypt parameters dklen={dklen} n={n} r={r} p={p}"
            )));
        }
        scrypt::Params::new(n.trailing_zeros() as u8, r, p, DKLEN as usize)
            .map_err(|e| invalid(format!("invalid scrypt parameters: {e}")))
    }
}

impl Pbkdf2Params {
    fn check(&self) -> Result<()> {
        let Self { dklen, c, prf, .. } = self;
        if *dklen != DKLEN || *c == 0 || *c > MAX_PBKDF2_C || prf != PRF {
            return Err(invalid(format!(
                "unsupported pbkdf2 parameters dklen={dklen} c={c} prf={prf}"
            )));
        }
        Ok(())
    }
}

/// EIP-2335 password processing: NFKD, drop the C0, C1 and DEL control codes, UTF-8.
pub(super) fn normalize_password(password: &str) -> Zeroizing<Vec<u8>> {
    let text = Zeroizing::new(
        password
            .nfkd()
            .filter(|c| !c.is_control())
            .collect::<String>(),
    );
    Zeroizing::new(text.as_bytes().to_vec())
}
