//! EIP-2335 keystores (version 4): scrypt or PBKDF2-HMAC-SHA256 → SHA-256 checksum →
//! AES-128-CTR. Passwords are NFKD-normalized with C0, C1 and DEL control codes stripped.

mod kdf;
mod wire;

use crate::{fill_random, PublicKey, SecretKey};
use ctr::cipher::{KeyIvInit, StreamCipher};
use kdf::normalize_password;
use newton_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wire::{AesParams, ChecksumModule, CipherModule, Crypto, Hex, KdfModule, NoParams};
use zeroize::Zeroizing;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

const VERSION: u32 = 4;
/// EIP-2335's default costs.
const SCRYPT_N: u32 = 1 << 18;
const PBKDF2_C: u32 = 1 << 18;

/// The key-derivation function for [`Keystore::encrypt`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kdf {
    /// scrypt with n = 262144, r = 8, p = 1 (the EIP-2335 default).
    Scrypt,
    /// PBKDF2-HMAC-SHA256 with c = 262144.
    Pbkdf2,
    /// scrypt with custom costs, for tests (cheap costs are insecure). `n` is a power of two.
    ScryptWith { n: u32, r: u32, p: u32 },
    /// PBKDF2 with a custom round count, for tests (cheap costs are insecure).
    Pbkdf2With { c: u32 },
}

/// An EIP-2335 keystore; `serde` reads and writes the standard JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Keystore {
    crypto: Crypto,
    #[serde(default)]
    pub description: String,
    /// The compressed public key, hex without `0x` (may be empty).
    #[serde(default)]
    pub pubkey: String,
    /// The EIP-2334 derivation path, `""` when unknown.
    pub path: String,
    pub uuid: String,
    version: u32,
}

impl Keystore {
    /// Encrypts `sk` under `password` with a fresh salt, IV and UUID; `path` is `""`.
    ///
    /// # Panics
    /// If `kdf` is a custom variant with unsupported costs (scrypt `n` not a power of two ≥ 2,
    /// `r` or `p` zero or over the caps; PBKDF2 `c` zero or over the cap), or if the OS RNG fails.
    pub fn encrypt(sk: &SecretKey, password: &str, kdf: Kdf) -> Keystore {
        let mut salt = vec![0u8; 32];
        fill_random(&mut salt);
        let kdf = match kdf {
            Kdf::Scrypt => KdfModule::scrypt(SCRYPT_N, 8, 1, salt),
            Kdf::ScryptWith { n, r, p } => KdfModule::scrypt(n, r, p, salt),
            Kdf::Pbkdf2 => KdfModule::pbkdf2(PBKDF2_C, salt),
            Kdf::Pbkdf2With { c } => KdfModule::pbkdf2(c, salt),
        };
        let dk = match kdf.derive(&normalize_password(password)) {
            Ok(dk) => dk,
            Err(e) => panic!("custom KDF costs: {}", e.message),
        };
        let mut iv = [0u8; 16];
        fill_random(&mut iv);
        let mut secret = Zeroizing::new(sk.to_bytes());
        aes_128_ctr(&dk, &iv, secret.as_mut_slice());
        let ciphertext = *secret;
        Keystore {
            crypto: Crypto {
                kdf,
                checksum: ChecksumModule::Sha256 {
                    params: NoParams {},
                    message: Hex(checksum(&dk, &ciphertext)),
                },
                cipher: CipherModule::Aes128Ctr {
                    params: AesParams { iv: Hex(iv) },
                    message: Hex(ciphertext),
                },
            },
            description: String::new(),
            pubkey: hex::encode(sk.public_key().to_bytes()),
            path: String::new(),
            uuid: uuid_v4(),
            version: VERSION,
        }
    }

    /// Decrypts the secret key: a wrong password is `KeystorePassword`; an unsupported or
    /// inconsistent keystore (version, KDF, costs, secret or pubkey) is `KeystoreInvalid`.
    pub fn decrypt(&self, password: &str) -> Result<SecretKey> {
        self.check()?;
        let dk = self.crypto.kdf.derive(&normalize_password(password))?;
        let ChecksumModule::Sha256 {
            message: expected, ..
        } = &self.crypto.checksum;
        let CipherModule::Aes128Ctr {
            params,
            message: ciphertext,
        } = &self.crypto.cipher;
        if !constant_time_eq(&checksum(&dk, &ciphertext.0), &expected.0) {
            return Err(Error::new(
                ErrorCode::KeystorePassword,
                "wrong keystore password (checksum mismatch)",
            ));
        }
        let mut secret = Zeroizing::new(ciphertext.0);
        aes_128_ctr(&dk, &params.iv.0, secret.as_mut_slice());
        let sk = SecretKey::from_bytes(secret.as_slice()).map_err(|e| {
            invalid(format!(
                "the decrypted secret is not a BLS secret key: {}",
                e.message
            ))
        })?;
        if !self.pubkey.is_empty() && self.stored_pubkey()? != sk.public_key() {
            return Err(invalid("the keystore pubkey does not match its secret key"));
        }
        Ok(sk)
    }

    /// Parses and checks EIP-2335 JSON (`KeystoreInvalid` on any problem).
    pub fn from_json(json: &str) -> Result<Keystore> {
        let keystore: Keystore = serde_json::from_str(json)
            .map_err(|e| invalid(format!("not an EIP-2335 keystore: {e}")))?;
        keystore.check()?;
        Ok(keystore)
    }

    pub fn to_json(&self) -> String {
        match serde_json::to_string(self) {
            Ok(json) => json,
            Err(e) => unreachable!("a keystore always serializes: {e}"),
        }
    }

    /// Version, KDF and pubkey; byte lengths were checked while parsing.
    fn check(&self) -> Result<()> {
        if self.version != VERSION {
            return Err(invalid(format!(
                "unsupported keystore version {}; EIP-2335 is 4",
                self.version
            )));
        }
        self.crypto.kdf.validate()?;
        if !self.pubkey.is_empty() {
            self.stored_pubkey()?;
        }
        Ok(())
    }

    fn stored_pubkey(&self) -> Result<PublicKey> {
        let bytes = hex::decode(self.pubkey.strip_prefix("0x").unwrap_or(&self.pubkey))
            .map_err(|e| invalid(format!("the keystore pubkey is not hex: {e}")))?;
        PublicKey::from_bytes(&bytes)
            .map_err(|e| invalid(format!("the keystore pubkey is invalid: {}", e.message)))
    }
}

/// SHA-256(DK[16..32] ‖ ciphertext).
fn checksum(dk: &[u8; 32], ciphertext: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(&dk[16..])
        .chain_update(ciphertext)
        .finalize()
        .into()
}

/// AES-128-CTR in place with key DK[0..16]; encryption and decryption are the same.
fn aes_128_ctr(dk: &[u8; 32], iv: &[u8; 16], buf: &mut [u8]) {
    Aes128Ctr::new(dk[..16].into(), iv.into()).apply_keystream(buf);
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random RFC 4122 version-4 UUID.
fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    fill_random(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::KeystoreInvalid, message)
}
