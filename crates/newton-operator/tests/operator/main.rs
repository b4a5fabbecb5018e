//! newton-operator end to end: prepare, consensus, commit and evaluate_and_sign on WAT
//! components and the kyc-screen example's recorded HTTP exchanges, private data, digests an
//! independent encoding reproduces, signatures the attestation aggregator accepts, and ids.

mod common;
mod consensus;
mod ids;
mod prepare_commit;
mod privacy;
mod simulate;
mod request_auth;
mod signing;
