//! The EIP-2335 JSON shapes. Byte fields are hex; fixed-size ones are length-checked while parsing.

use crate::SECRET_KEY_LEN;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Crypto {
    pub(super) kdf: KdfModule,
    pub(super) checksum: ChecksumModule,
    pub(super) cipher: CipherModule,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "function")]
pub(super) enum KdfModule {
    #[serde(rename = "scrypt")]
    Scrypt {
        params: ScryptParams,
        message: String,
    },
    #[serde(rename = "pbkdf2")]
    Pbkdf2 {
        params: Pbkdf2Params,
        message: String,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct ScryptParams {
    pub(super) dklen: u32,
    pub(super) n: u32,
    pub(super) p: u32,
    pub(super) r: u32,
    pub(super) salt: Hex<Vec<u8>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Pbkdf2Params {
    pub(super) dklen: u32,
    pub(super) c: u32,
    pub(super) prf: String,
    pub(super) salt: Hex<Vec<u8>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "function")]
pub(super) enum ChecksumModule {
    #[serde(rename = "sha256")]
    Sha256 {
        params: NoParams,
        message: Hex<[u8; 32]>,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct NoParams {}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "function")]
pub(super) enum CipherModule {
    #[serde(rename = "aes-128-ctr")]
    Aes128Ctr {
        params: AesParams,
        message: Hex<[u8; SECRET_KEY_LEN]>,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct AesParams {
    pub(super) iv: Hex<[u8; 16]>,
}

/// Bytes written as bare lowercase hex (an optional `0x` is accepted on input).
#[derive(Clone, Debug)]
pub(super) struct Hex<T>(pub(super) T);

impl<T: AsRef<[u8]>> Serialize for Hex<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(&self.0))
    }
}

impl<'de, T: TryFrom<Vec<u8>>> Deserialize<'de> for Hex<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let bytes =
            hex::decode(text.strip_prefix("0x").unwrap_or(&text)).map_err(de::Error::custom)?;
        let len = bytes.len();
        T::try_from(bytes)
            .map(Hex)
            .map_err(|_| de::Error::custom(format!("unexpected byte length {len}")))
    }
}
