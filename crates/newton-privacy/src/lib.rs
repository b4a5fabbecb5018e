//! The Newton privacy layer (protocol §10): data sealed to an operator key as a
//! [`SecureEnvelope`] with HPKE (RFC 9180) Base mode, bound to a policy client and chain id
//! through the AAD, and a [`Keyring`] that keeps older keys openable until they are retired.

mod envelope;
mod keyring;
mod keys;
pub mod suite;

pub use envelope::SecureEnvelope;
pub use keyring::Keyring;
pub use keys::RecipientKeyPair;
