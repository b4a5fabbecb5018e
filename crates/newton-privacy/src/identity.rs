//! Identity data (user-owned, long-lived): the owner uploads an envelope sealed on their side
//! and bound to their own address, registers it for an identity domain, and links domains to a
//! policy client's user. Operators find it through the links at evaluation time.

use crate::authorization::{refused, Authorization, LinkIdentity, UnlinkIdentity, UploadIdentity};
use crate::store::{DataKind, PrivacyStore};
use alloy_primitives::{Address, B256};
use newton_core::{Error, Result};
use newton_types::hash::domain_id;
use serde::{Deserialize, Serialize};

/// The most domains one link or unlink may name (Newton's `MAX_LINKS`).
pub const MAX_LINKS: usize = 50;

/// A link request: `owner`'s identity `domains` (names, e.g. `kyc`) for `user` of `policy_client`.
///
/// JSON: `{"owner", "policyClient", "user", "domains": ["kyc", …]}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityLink {
    /// The identity owner.
    pub owner: Address,
    /// The policy client.
    pub policy_client: Address,
    /// The policy client's user the identity is used for (the intent's `from`).
    pub user: Address,
    /// Identity domain names.
    pub domains: Vec<String>,
}

impl IdentityLink {
    pub fn from_json(text: &str) -> Result<Self> {
        Error::parse_json("identity link", text)
    }
}

/// One linked identity domain as an operator resolves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkedIdentity {
    /// The domain name, e.g. `kyc`.
    pub domain: String,
    /// The identity owner.
    pub owner: Address,
    /// The owner's current envelope for that domain.
    pub data_ref_id: B256,
}

impl IdentityLink {
    fn domain_ids(&self) -> Result<Vec<B256>> {
        if self.domains.is_empty() || self.domains.len() > MAX_LINKS {
            return Err(Error::invalid_argument(format!(
                "a link names 1 to {MAX_LINKS} identity domains, got {}",
                self.domains.len()
            )));
        }
        Ok(self.domains.iter().map(|d| domain_id(d)).collect())
    }

    fn link_message(&self, auth: &Authorization) -> Result<LinkIdentity> {
        Ok(LinkIdentity {
            identityOwner: self.owner,
            policyClient: self.policy_client,
            clientUser: self.user,
            identityDomains: self.domain_ids()?,
            nonce: auth.nonce_u256(),
            deadline: auth.deadline_u256(),
        })
    }
}

impl PrivacyStore {
    /// Stores `owner`'s identity envelope for `domain` (replacing the previous one) and returns
    /// its `data_ref_id` (keccak256 of the envelope bytes). The envelope must be bound to
    /// `owner` on this chain; `auth` is the owner's `UploadIdentity` signature.
    pub fn upload_identity(&self, owner: Address, domain: &str, envelope_json: &str, auth: &Authorization) -> Result<B256> {
        let domain = domain_name(domain)?;
        let data_ref_id = self.check_upload(envelope_json, owner)?;
        let message = UploadIdentity {
            identityOwner: owner,
            identityDomain: domain_id(domain),
            dataRefId: data_ref_id,
            nonce: auth.nonce_u256(),
            deadline: auth.deadline_u256(),
        };
        self.verify(&message, auth, owner)?;
        self.authorized("upload identity", &[auth], |db| {
            self.put_envelope(db, DataKind::Identity, owner, envelope_json)?;
            db.set_identity(owner, domain_id(domain), domain, data_ref_id)?;
            Ok(data_ref_id)
        })
    }

    /// Links the owner's domains to `link.user` of `link.policy_client`. Signed by the owner; when
    /// the user is someone else, the user signs the same link too. Each domain must hold data.
    pub fn link_identity(&self, link: &IdentityLink, owner_auth: &Authorization, user_auth: Option<&Authorization>) -> Result<()> {
        let message = link.link_message(owner_auth)?;
        self.verify(&message, owner_auth, link.owner)?;
        let mut auths = vec![owner_auth];
        if link.user != link.owner {
            let user_auth = user_auth.ok_or_else(|| {
                refused(format!("linking to user {} needs that user's signature too", link.user))
            })?;
            self.verify(&link.link_message(user_auth)?, user_auth, link.user)?;
            auths.push(user_auth);
        }
        self.authorized("link identity", &auths, |db| {
            for (name, id) in link.domains.iter().zip(&message.identityDomains) {
                if !db.has_identity(link.owner, *id)? {
                    return Err(Error::invalid_argument(format!(
                        "{} has no identity data for domain `{name}`; upload it before linking",
                        link.owner
                    )));
                }
                db.set_link(link.policy_client, link.user, *id, link.owner)?;
            }
            Ok(())
        })
    }

    /// Removes links; signed by the owner or by the client user.
    pub fn unlink_identity(&self, link: &IdentityLink, auth: &Authorization) -> Result<()> {
        let message = UnlinkIdentity {
            identityOwner: link.owner,
            policyClient: link.policy_client,
            clientUser: link.user,
            identityDomains: link.domain_ids()?,
            nonce: auth.nonce_u256(),
            deadline: auth.deadline_u256(),
        };
        let signer = if auth.signer == link.user { link.user } else { link.owner };
        self.verify(&message, auth, signer)?;
        self.authorized("unlink identity", &[auth], |db| {
            for id in &message.identityDomains {
                db.delete_link(link.policy_client, link.user, *id, link.owner)?;
            }
            Ok(())
        })
    }

    /// The identity domains linked for `user` of `policy_client`, with each owner's current
    /// envelope (`getLinkedDomains` → owner → dataRefId).
    pub fn linked_identity(&self, policy_client: Address, user: Address) -> Result<Vec<LinkedIdentity>> {
        self.read(|db| db.linked_identity(policy_client, user))
    }
}

/// A domain name: non-empty, at most 256 bytes.
pub(crate) fn domain_name(name: &str) -> Result<&str> {
    if name.is_empty() || name.len() > 256 {
        return Err(Error::invalid_argument(format!("a domain name is 1 to 256 bytes, got {}", name.len())));
    }
    Ok(name)
}
