//! One run's view of `http.fetch`: the call budget, the body cap and the wall clock apply in
//! every mode, so replayed runs fail exactly where live ones would.

use super::{Fetched, Fixtures, HttpClient, HttpMode, Request};
use newton_core::{Error, ErrorCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) struct HttpSession {
    client: Arc<HttpClient>,
    mode: HttpMode,
    calls: u32,
    max_calls: u32,
    max_body: u64,
    call_timeout: Duration,
    deadline: Instant,
}

impl HttpSession {
    pub fn new(client: Arc<HttpClient>, mode: HttpMode, limits: &crate::Limits, deadline: Instant) -> Self {
        Self {
            client,
            mode,
            calls: 0,
            max_calls: limits.max_http_calls,
            max_body: limits.max_response_bytes,
            call_timeout: Duration::from_millis(limits.http_timeout_ms),
            deadline,
        }
    }

    pub fn calls(&self) -> u32 {
        self.calls
    }

    /// The fixtures recorded by this run (record mode only).
    pub fn into_recorded(self) -> Option<Fixtures> {
        match self.mode {
            HttpMode::Record(f) => Some(f),
            _ => None,
        }
    }

    pub fn fetch(&mut self, req: &Request) -> Fetched {
        if self.calls >= self.max_calls {
            let msg = format!("more than {} http.fetch calls in one run", self.max_calls);
            return Err(Error::new(ErrorCode::PolicyDataHttpCallLimit, msg));
        }
        self.calls += 1;
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::new(ErrorCode::PolicyDataLimitTime, "the run's wall-clock limit passed during http.fetch"));
        }
        let timeout = self.call_timeout.min(left);
        match &mut self.mode {
            HttpMode::Live => self.client.fetch(req, timeout, self.max_body),
            HttpMode::Record(fixtures) => {
                let fetched = self.client.fetch(req, timeout, self.max_body)?;
                if let Ok(resp) = &fetched {
                    fixtures.record(req, resp);
                }
                Ok(fetched)
            }
            HttpMode::Replay(fixtures) => match fixtures.find(req) {
                Some(resp) if resp.body.len() as u64 > self.max_body => {
                    let msg = format!("http fixture response for {} exceeds {} bytes", req.url, self.max_body);
                    Err(Error::new(ErrorCode::PolicyDataHttpResponseTooLarge, msg))
                }
                Some(resp) => Ok(Ok(resp)),
                None => {
                    let msg = format!("no recorded http fixture for {} {}", req.method.to_ascii_uppercase(), req.url);
                    Err(Error::new(ErrorCode::PolicyDataHttpFixtureMissing, msg))
                }
            },
        }
    }
}
