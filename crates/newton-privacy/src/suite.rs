//! The one fixed ciphersuite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305
//! (RFC 9180 A.2), Base mode, empty `info`.

/// KEM 0x0020, DHKEM(X25519, HKDF-SHA256).
pub type Kem = hpke::kem::X25519HkdfSha256;
/// KDF 0x0001, HKDF-SHA256.
pub type Kdf = hpke::kdf::HkdfSha256;
/// AEAD 0x0003, ChaCha20-Poly1305.
pub type Aead = hpke::aead::ChaCha20Poly1305;
/// The X25519 secret key.
pub type PrivateKey = <Kem as hpke::Kem>::PrivateKey;
/// The X25519 public key.
pub type PublicKey = <Kem as hpke::Kem>::PublicKey;
/// The encapsulated ephemeral key (`enc`).
pub type EncappedKey = <Kem as hpke::Kem>::EncappedKey;

/// HPKE `info`: empty.
pub const INFO: &[u8] = b"";
/// Bytes of a public key and of `enc`.
pub const KEY_LEN: usize = 32;
/// Bytes of the AEAD tag appended to every ciphertext.
pub const TAG_LEN: usize = 16;
