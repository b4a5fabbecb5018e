//! The one napi-rs addon. Glue only: argument conversion, error mapping and AsyncTask shells
//! around the `newton-*` crates, where all logic lives. JSON crosses as strings.
#![allow(clippy::needless_pass_by_value)] // napi hands owned values; borrowing is not an option.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod attestation;
mod bls;
mod convert;
mod error;
mod identifiers;
mod job;
mod log;
mod operator;
mod policy;
mod policy_data;
mod policy_tests;
mod privacy;
mod request_auth;
mod text;
