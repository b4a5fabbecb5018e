//! `http.fetch` for guests: a guarded live client, record/replay fixtures and the per-run
//! session that enforces the call and size limits in every mode.

mod client;
mod fixtures;
pub mod guard;
mod session;

pub use client::HttpClient;
pub use fixtures::{Fixtures, HttpMode};
pub(crate) use session::HttpSession;

/// A guest's request, independent of the WIT version it came through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// What the guest receives; any status (non-2xx included) is just a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The result of one fetch: `Ok(Ok)` a response, `Ok(Err)` an ordinary failure the guest sees
/// as `Err(string)`, `Err` a policy breach that aborts the run (the guest cannot swallow it).
pub type Fetched = Result<Result<Response, String>, newton_core::Error>;
