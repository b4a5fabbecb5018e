//! Integration tests for newton-attestation, as one test binary sharing its fixtures.

mod aggregator;
mod bundle_json;
mod crash;
mod fixtures;
mod operators;
mod properties;
mod quorum;
mod spent_store;
mod validator;
