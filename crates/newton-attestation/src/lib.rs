//! Newton attestations: the operator registry (BLS keys with proofs of possession, stakes per
//! quorum), stake-weighted quorum math, the signature [`Aggregator`] that issues a
//! [`Certificate`], and the direct [`validate`] of an [`AttestationBundle`] ending in a durable
//! single-use spend ([`SpentStore`]).

mod aggregator;
mod bundle;
mod certificate;
mod hex_array;
mod operators;
mod quorum;
mod spent_store;
mod stake_json;
mod validator;

pub use aggregator::{Aggregator, Rejection};
pub use bundle::{attestation_for, AttestationBundle};
pub use certificate::Certificate;
pub use operators::{Operator, OperatorEntry, OperatorRegistry};
pub use quorum::{QuorumStakes, QuorumThreshold};
pub use spent_store::SpentStore;
pub use validator::{check_before_spend, validate, Check, CheckOutcome, Report, Status, ValidationContext};
