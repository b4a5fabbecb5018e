//! What one run's Store holds: the memory/table limiter, the http session and the secrets.
//! Policy breaches raised inside host calls travel as a [`Breach`] trap the guest cannot catch.

use crate::http::HttpSession;
use crate::secrets::Secrets;
use newton_core::{Error, ErrorCode};
use wasmtime::ResourceLimiter;

/// A limit or policy breach raised by the host; it aborts the run with its own code.
#[derive(Debug)]
pub(crate) struct Breach(pub Error);

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Breach {}

/// Caps every linear memory and table of the instance.
pub(crate) struct Limiter {
    pub memory_bytes: usize,
    pub table_elements: usize,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            let msg = format!("memory would grow to {desired} bytes, over the {}-byte cap", self.memory_bytes);
            return Err(wasmtime::Error::new(Breach(Error::new(ErrorCode::PolicyDataLimitMemory, msg))));
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.table_elements {
            let msg = format!("a table would grow to {desired} elements, over the {}-element cap", self.table_elements);
            return Err(wasmtime::Error::new(Breach(Error::new(ErrorCode::PolicyDataLimitMemory, msg))));
        }
        Ok(true)
    }
}

pub(crate) struct RunState {
    pub limiter: Limiter,
    pub http: HttpSession,
    pub secrets: Option<Secrets>,
}

impl RunState {
    /// `http.fetch` for either world: breaches trap, network failures are the guest's `Err`.
    pub fn fetch(&mut self, req: &crate::http::Request) -> wasmtime::Result<Result<crate::http::Response, String>> {
        self.http.fetch(req).map_err(|e| wasmtime::Error::new(Breach(e)))
    }

    pub fn secret_bytes(&self) -> Result<Vec<u8>, String> {
        self.secrets
            .as_ref()
            .map(|s| s.bytes().to_vec())
            .ok_or_else(|| "no secrets configured for this policy data".to_owned())
    }
}

/// What `tlsn.verify*` answer: this host verifies no TLSNotary presentations, and says so.
pub(crate) const TLSN_UNSUPPORTED: &str = "tlsn verification is not supported by this host";
