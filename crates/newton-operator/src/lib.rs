//! A Newton operator in one place. [`TaskEvaluator`] holds an operator's engines — compiled
//! policies and PolicyData modules by content id, the client policies they serve, the privacy
//! node and the BLS signer — and runs Newton's two rounds separately:
//!
//! - [`TaskEvaluator::prepare`]: every PolicyData module of the task's policy on the task's
//!   `wasm_args` (reserved `_newton` stripped), concurrently → unsigned outputs, each with the
//!   keccak256 digest of its RFC 8785 canonical JSON ([`PreparedData`]);
//! - [`consensus`]: the agreed data from several operators' prepare results (a pure function);
//! - [`TaskEvaluator::commit`]: the agreed data merged into `data.wasm`, private data attached,
//!   the policy evaluated, Newton's `TaskResponse` built, its consensus digest
//!   `keccak256(abi.encode(TaskResponse))` BLS-signed ([`SignedTaskResponse`]).
//!
//! [`TaskEvaluator::evaluate_and_sign`] is both rounds with the operator's own data;
//! [`TaskEvaluator::simulate`] is a dry run of a policy with nothing signed.

mod canonical;
mod commit;
mod consensus;
mod deployment;
mod evaluator;
mod json_path;
mod prepare;
mod prepared;
mod request_auth;
mod simulate;
mod task_args;

pub use canonical::{canonical_json, canonical_json_digest};
pub use commit::SignedTaskResponse;
pub use consensus::{consensus, DEFAULT_TOLERANCE};
pub use deployment::{PolicyDataSource, PolicyDeployment};
pub use evaluator::TaskEvaluator;
pub use prepared::{PolicyDataOutput, PreparedData};
pub use request_auth::{recover_request_signer, request_digest, sign_request, RequestClaims};
pub use simulate::{Simulated, SimulatedOutput};
