//! Record/replay fixtures for offline, reproducible runs. The file format:
//! `{"version":1,"entries":[{"request":{"method","url","body_base64"},"response":{"status",
//! "headers":[[name,value]],"body" | "body_base64"}}]}`. A request matches an entry on method,
//! full URL and body (a request without a body matches `body_base64: null`).

use super::{Request, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use newton_core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    version: u32,
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Entry {
    request: FixtureRequest,
    response: FixtureResponse,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct FixtureRequest {
    method: String,
    url: String,
    #[serde(default)]
    body_base64: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct FixtureResponse {
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_base64: Option<String>,
}

/// How a run's `http.fetch` is served.
#[derive(Clone, Debug, Default)]
pub enum HttpMode {
    /// Real requests through the SSRF guard.
    #[default]
    Live,
    /// Only from these fixtures; an unrecorded request fails the run.
    Replay(Fixtures),
    /// Real requests, each appended to these fixtures (which may start empty).
    Record(Fixtures),
}

impl Fixtures {
    pub fn new() -> Self {
        Self { version: 1, entries: Vec::new() }
    }

    /// Parses and checks a fixture document (version 1, decodable bodies).
    pub fn from_json(text: &str) -> Result<Self> {
        let invalid = |m: String| Error::new(ErrorCode::InvalidJson, format!("http fixtures: {m}"));
        let fixtures: Self = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if fixtures.version != 1 {
            return Err(invalid(format!("unsupported version {}", fixtures.version)));
        }
        for (i, e) in fixtures.entries.iter().enumerate() {
            if e.response.body.is_some() && e.response.body_base64.is_some() {
                return Err(invalid(format!("entry {i}: response has both body and body_base64")));
            }
            let bodies = [&e.request.body_base64, &e.response.body_base64];
            if bodies.into_iter().flatten().any(|b| B64.decode(b).is_err()) {
                return Err(invalid(format!("entry {i}: body_base64 is not base64")));
            }
        }
        Ok(fixtures)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The recorded response for `req`, if any (the first matching entry).
    pub fn find(&self, req: &Request) -> Option<Response> {
        let body = req.body.as_ref().map(|b| B64.encode(b));
        let entry = self.entries.iter().find(|e| {
            e.request.method.eq_ignore_ascii_case(&req.method) && e.request.url == req.url && e.request.body_base64 == body
        })?;
        let r = &entry.response;
        let body = match (&r.body, &r.body_base64) {
            (Some(text), _) => text.clone().into_bytes(),
            (None, Some(b)) => B64.decode(b).unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        Some(Response { status: r.status, headers: r.headers.clone(), body })
    }

    /// Appends an exchange; a UTF-8 body is stored as text, anything else as base64.
    pub fn record(&mut self, req: &Request, resp: &Response) {
        let (body, body_base64) = match std::str::from_utf8(&resp.body) {
            Ok(text) => (Some(text.to_owned()), None),
            Err(_) => (None, Some(B64.encode(&resp.body))),
        };
        self.entries.push(Entry {
            request: FixtureRequest {
                method: req.method.to_ascii_uppercase(),
                url: req.url.clone(),
                body_base64: req.body.as_ref().map(|b| B64.encode(b)),
            },
            response: FixtureResponse { status: resp.status, headers: resp.headers.clone(), body, body_base64 },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{"version":1,"entries":[
      {"request":{"method":"GET","url":"https://api.example.com/x?y=1","body_base64":null},
       "response":{"status":200,"headers":[["content-type","application/json"]],"body":"{\"ok\":true}"}},
      {"request":{"method":"POST","url":"https://api.example.com/p","body_base64":"aGk="},
       "response":{"status":201,"headers":[],"body_base64":"AP8="}}]}"#;

    fn req(method: &str, url: &str, body: Option<&[u8]>) -> Request {
        Request { method: method.into(), url: url.into(), headers: vec![], body: body.map(<[u8]>::to_vec) }
    }

    #[test]
    fn matches_method_url_and_body() {
        let f = Fixtures::from_json(FILE).expect("parse");
        let r = f.find(&req("get", "https://api.example.com/x?y=1", None)).expect("hit");
        assert_eq!((r.status, r.body.as_slice()), (200, br#"{"ok":true}"#.as_slice()));
        assert_eq!(r.headers, [("content-type".to_owned(), "application/json".to_owned())]);
        assert!(f.find(&req("GET", "https://api.example.com/x?y=2", None)).is_none());
        assert!(f.find(&req("POST", "https://api.example.com/x?y=1", None)).is_none());
        let p = f.find(&req("POST", "https://api.example.com/p", Some(b"hi"))).expect("post");
        assert_eq!((p.status, p.body), (201, vec![0, 255]));
        assert!(f.find(&req("POST", "https://api.example.com/p", Some(b"ho"))).is_none());
    }

    #[test]
    fn record_round_trips_through_json() {
        let mut f = Fixtures::new();
        let resp = Response { status: 200, headers: vec![("a".into(), "b".into())], body: vec![0xff] };
        f.record(&req("get", "http://h/x", None), &resp);
        let again = Fixtures::from_json(&f.to_json()).expect("reparse");
        assert_eq!(again.find(&req("GET", "http://h/x", None)), Some(resp));
    }

    #[test]
    fn rejects_bad_documents() {
        assert!(Fixtures::from_json(r#"{"version":2,"entries":[]}"#).is_err());
        assert!(Fixtures::from_json(r#"{"version":1}"#).is_err());
        let both = r#"{"version":1,"entries":[{"request":{"method":"GET","url":"u"},"response":{"status":200,"body":"a","body_base64":"YQ=="}}]}"#;
        assert!(Fixtures::from_json(both).is_err());
    }
}
