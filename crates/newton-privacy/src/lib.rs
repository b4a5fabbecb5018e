//! The Newton privacy layer (protocol §10): data sealed to an operator key as a
//! [`SecureEnvelope`] with HPKE (RFC 9180) Base mode, bound to a policy client and chain id
//! through the AAD, a [`Keyring`] that keeps older keys openable until they are retired, and the
//! three lifecycles on top: identity (registered and linked, [`PrivacyStore::upload_identity`]),
//! confidential (published, versioned, granted, [`PrivacyStore::publish_confidential`]) and
//! ephemeral (one task, [`open_ephemeral`]). [`TaskPrivacy`] hands a task's identity and
//! confidential data to the policy engine, opened only when its builtins read them.

pub mod authorization;
mod confidential;
mod envelope;
mod ephemeral;
mod identity;
mod keyring;
mod keys;
mod store;
pub mod suite;
mod task;

pub use authorization::Authorization;
pub use confidential::{DataVersion, Grant, GrantState, GrantStep};
pub use envelope::SecureEnvelope;
pub use ephemeral::{open_ephemeral, strip_reserved, RESERVED_KEY};
pub use identity::{IdentityLink, LinkedIdentity, MAX_LINKS};
pub use keyring::{Keyring, SharedKeyring};
pub use keys::RecipientKeyPair;
pub use store::{DataKind, PrivacyStore, StoredEnvelope};
pub use task::{PrivacyNode, TaskPrivacy};
