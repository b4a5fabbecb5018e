//! The live client: ureq (blocking, rustls + webpki roots; small, no async runtime, which suits a
//! synchronous host call) behind a resolver that vets every address before ureq connects to it,
//! so there is no window between the check and the connection for DNS rebinding.

use super::guard::{forbidden_reason, AllowList};
use super::{Fetched, Request, Response};
use newton_core::{Error, ErrorCode};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;
use ureq::http::{self, Uri};
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// A refusal raised inside the resolver and recognized after `Agent::run` returns.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// ureq's resolver result holds at most this many addresses.
const MAX_ADDRS: usize = 16;

#[derive(Debug)]
struct GuardedResolver {
    allow: AllowList,
}

impl Resolver for GuardedResolver {
    fn resolve(&self, uri: &Uri, _config: &ureq::config::Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (host, port) = host_port(uri).ok_or_else(|| ureq::Error::BadUri(uri.to_string()))?;
        let name = format!("{}:{port}", host.trim_start_matches('[').trim_end_matches(']'));
        let addrs = resolve_within(name, *timeout.after)?;
        let admitted = self.allow.admits(host, port);
        let mut out = self.empty();
        for (i, addr) in addrs.into_iter().enumerate() {
            if let (false, Some(why)) = (admitted, forbidden_reason(addr.ip())) {
                let msg = format!("http.fetch to {host} refused: it resolves to {} ({why}); admit the host with the allow list", addr.ip());
                return Err(ureq::Error::Other(Box::new(Refused(msg))));
            }
            if i < MAX_ADDRS {
                out.push(addr);
            }
        }
        if out.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(out)
    }
}

/// Resolves on a helper thread so the per-call timeout also bounds DNS.
fn resolve_within(name: String, timeout: Duration) -> Result<Vec<SocketAddr>, ureq::Error> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::spawn(move || tx.send(name.to_socket_addrs().map(Vec::from_iter)).ok());
    match rx.recv_timeout(timeout) {
        Ok(result) => Ok(result?),
        Err(_) => Err(ureq::Error::Timeout(ureq::Timeout::Resolve)),
    }
}

fn host_port(uri: &Uri) -> Option<(&str, u16)> {
    let default = match uri.scheme_str()? {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    Some((uri.host()?, uri.port_u16().unwrap_or(default)))
}

/// The live HTTP client of one host; shared by all runs (connections are pooled).
#[derive(Debug)]
pub struct HttpClient {
    agent: ureq::Agent,
}

impl HttpClient {
    pub fn new(allow: AllowList) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Redirects reach the guest as 3xx responses: a followed Location is a new fetch,
            // vetted and counted like any other.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(None)
            .user_agent("newton-policy-data")
            .build();
        Self { agent: ureq::Agent::with_parts(config, DefaultConnector::default(), GuardedResolver { allow }) }
    }

    /// Performs `req` within `timeout`, reading at most `max_body` bytes of the response.
    pub fn fetch(&self, req: &Request, timeout: Duration, max_body: u64) -> Fetched {
        let scheme = req.url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) {
            let msg = format!("http.fetch refused: {} is not an http or https URL", req.url);
            return Err(Error::new(ErrorCode::PolicyDataHttpForbidden, msg));
        }
        let uri: Uri = match req.url.parse() {
            Ok(u) => u,
            Err(e) => return Ok(Err(format!("invalid url {}: {e}", req.url))),
        };
        let builder = match builder(req, uri) {
            Ok(b) => b,
            Err(e) => return Ok(Err(e)),
        };
        let sent = match &req.body {
            None => builder.body(()).map(|r| self.send(r, timeout)),
            Some(body) => builder.body(body.clone()).map(|r| self.send(r, timeout)),
        };
        let sent = match sent {
            Ok(sent) => sent,
            Err(e) => return Ok(Err(format!("invalid request: {e}"))),
        };
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => return failure(e, &req.url),
        };
        let too_large = || {
            let msg = format!("http.fetch response from {} exceeds {max_body} bytes", req.url);
            Error::new(ErrorCode::PolicyDataHttpResponseTooLarge, msg)
        };
        if response.body().content_length().is_some_and(|n| n > max_body) {
            return Err(too_large());
        }
        let body = match response.body_mut().with_config().limit(max_body).read_to_vec() {
            Ok(b) => b,
            Err(ureq::Error::BodyExceedsLimit(_)) => return Err(too_large()),
            Err(e) => return Ok(Err(format!("reading the response from {} failed: {e}", req.url))),
        };
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        Ok(Ok(Response { status: response.status().as_u16(), headers, body }))
    }
}

impl HttpClient {
    fn send<B: ureq::AsSendBody>(&self, request: http::Request<B>, timeout: Duration) -> Result<http::Response<ureq::Body>, ureq::Error> {
        self.agent.run(self.agent.configure_request(request).timeout_global(Some(timeout)).build())
    }
}

fn builder(req: &Request, uri: Uri) -> Result<http::request::Builder, String> {
    let method = req.method.to_ascii_uppercase();
    if !["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].contains(&method.as_str()) {
        return Err(format!("unsupported http method {}", req.method));
    }
    let mut builder = http::Request::builder().method(method.as_str()).uri(uri);
    for (name, value) in &req.headers {
        builder = builder.header(name, value);
    }
    Ok(builder)
}

fn failure(e: ureq::Error, url: &str) -> Fetched {
    if let ureq::Error::Other(inner) = &e {
        if let Some(Refused(msg)) = inner.downcast_ref::<Refused>() {
            return Err(Error::new(ErrorCode::PolicyDataHttpForbidden, msg.clone()));
        }
    }
    Ok(Err(format!("http.fetch {url} failed: {e}")))
}
