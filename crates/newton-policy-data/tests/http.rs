//! `http.fetch` end to end: the SSRF guard, call and size limits, ordinary failures, and
//! record/replay fixtures, against a local server admitted through the allow list.

mod common;

use common::*;
use newton_core::ErrorCode;
use newton_policy_data::http::{HttpClient, Request};
use newton_policy_data::{Fixtures, HttpMode, RunOptions};
use std::time::{Duration, Instant};

const JSON: &str = r#"{"price":42,"source":"local"}"#;

fn allowing_local() -> newton_policy_data::PolicyDataHost {
    host(r#"{"allowHosts":["127.0.0.1"]}"#)
}

#[test]
fn fetches_through_the_allow_list_in_both_worlds() {
    let port = serve();
    for version in ["0.2.0", "0.1.0"] {
        let m = load(&allowing_local(), &fetching(version, &format!("http://127.0.0.1:{port}/json"), 1));
        let r = m.run("{}", RunOptions::default()).expect("run");
        assert_eq!((r.output.as_str(), r.http_calls), (JSON, 1));
    }
}

#[test]
fn the_ssrf_guard_refuses_private_addresses_without_the_allow_list() {
    let port = serve();
    let h = host("{}");
    for url in [
        format!("http://127.0.0.1:{port}/json"),
        format!("http://localhost:{port}/json"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        "http://[::ffff:127.0.0.1]/".to_owned(),
        "http://0x7f000001/".to_owned(),
    ] {
        let started = Instant::now();
        let e = run(&load(&h, &fetching("0.2.0", &url, 1))).expect_err("refused");
        assert_eq!(e.code, ErrorCode::PolicyDataHttpForbidden, "{url}: {}", e.message);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    // A port-pinned entry admits only that port.
    let pinned = host(&format!(r#"{{"allowHosts":["127.0.0.1:{}"]}}"#, port.wrapping_add(1)));
    let e = run(&load(&pinned, &fetching("0.2.0", &format!("http://127.0.0.1:{port}/json"), 1))).expect_err("port");
    assert_eq!(e.code, ErrorCode::PolicyDataHttpForbidden);
    let e = run(&load(&h, &fetching("0.2.0", "file:///etc/passwd", 1))).expect_err("scheme");
    assert_eq!(e.code, ErrorCode::PolicyDataHttpForbidden);
}

#[test]
fn the_51st_call_aborts_the_run() {
    let port = serve();
    let url = format!("http://127.0.0.1:{port}/json");
    let h = allowing_local();
    assert_eq!(run(&load(&h, &fetching("0.2.0", &url, 50))).expect("50 calls"), JSON);
    let e = run(&load(&h, &fetching("0.2.0", &url, 51))).expect_err("51 calls");
    assert_eq!(e.code, ErrorCode::PolicyDataHttpCallLimit);
}

#[test]
fn a_2_mib_response_aborts_the_run() {
    let port = serve();
    let e = run(&load(&allowing_local(), &fetching("0.2.0", &format!("http://127.0.0.1:{port}/big"), 1))).expect_err("big");
    assert_eq!(e.code, ErrorCode::PolicyDataHttpResponseTooLarge);
}

#[test]
fn network_failures_are_the_guests_to_handle() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let e = run(&load(&allowing_local(), &fetching("0.2.0", &format!("http://127.0.0.1:{closed}/"), 1))).expect_err("refused");
    assert_eq!(e.code, ErrorCode::PolicyDataGuestError);
    assert!(e.message.starts_with("WASM execution failed: http.fetch"), "{}", e.message);
}

#[test]
fn a_slow_server_times_out_into_a_guest_error_and_the_wall_clock_still_holds() {
    let port = serve();
    let url = format!("http://127.0.0.1:{port}/slow");
    let per_call = host(r#"{"allowHosts":["127.0.0.1"],"httpTimeoutMs":200}"#);
    let started = Instant::now();
    let e = run(&load(&per_call, &fetching("0.2.0", &url, 1))).expect_err("timeout");
    assert_eq!(e.code, ErrorCode::PolicyDataGuestError, "{}", e.message);
    assert!(e.message.contains("timeout") || e.message.contains("timed out"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // The run's wall clock bounds the http timeout too: 2 calls of ≤ 300 ms, then LIMIT_TIME.
    let whole = host(r#"{"allowHosts":["127.0.0.1"],"timeoutMs":300}"#);
    let started = Instant::now();
    let e = run(&load(&whole, &fetching("0.2.0", &url, 2))).expect_err("time");
    assert_eq!(e.code, ErrorCode::PolicyDataLimitTime, "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn redirects_and_errors_are_plain_responses() {
    let port = serve();
    let client = HttpClient::new(newton_policy_data::http::guard::AllowList::parse(&["127.0.0.1".into()]).expect("allow"));
    let get = |path: &str| Request { method: "GET".into(), url: format!("http://127.0.0.1:{port}{path}"), headers: vec![], body: None };
    let r = client.fetch(&get("/redirect"), Duration::from_secs(5), 1 << 20).expect("no breach").expect("response");
    assert_eq!(r.status, 302);
    assert!(r.headers.iter().any(|(k, v)| k == "location" && v == "/json"));
    let r = client.fetch(&get("/missing"), Duration::from_secs(5), 1 << 20).expect("no breach").expect("response");
    assert_eq!(r.status, 404);
}

#[test]
fn record_then_replay_offline() {
    let port = serve();
    let url = format!("http://127.0.0.1:{port}/json");
    let wasm = fetching("0.2.0", &url, 2);
    let recorded = load(&allowing_local(), &wasm)
        .run("{}", RunOptions { http: HttpMode::Record(Fixtures::new()), ..RunOptions::default() })
        .expect("record");
    let fixtures = recorded.http_recorded.expect("fixtures");
    assert_eq!(fixtures.len(), 2);
    let text = fixtures.to_json();
    assert!(text.contains(&url) && text.contains(r#""version": 1"#), "{text}");

    // Replay needs neither the network nor the allow list.
    let offline = host("{}");
    let replay = |f: &Fixtures, wasm: &[u8]| {
        load(&offline, wasm).run("{}", RunOptions { http: HttpMode::Replay(f.clone()), ..RunOptions::default() })
    };
    let again = replay(&Fixtures::from_json(&text).expect("parse"), &wasm).expect("replay");
    assert_eq!((again.output.as_str(), again.http_calls), (recorded.output.as_str(), 2));

    let e = replay(&fixtures, &fetching("0.2.0", "https://api.example.com/x?y=1", 1)).expect_err("missing");
    assert_eq!(e.code, ErrorCode::PolicyDataHttpFixtureMissing);
    assert!(e.message.contains("GET https://api.example.com/x?y=1"), "{}", e.message);
    let e = replay(&fixtures, &fetching("0.2.0", &url, 51)).expect_err("limit");
    assert_eq!(e.code, ErrorCode::PolicyDataHttpCallLimit);

    let big = format!(
        r#"{{"version":1,"entries":[{{"request":{{"method":"GET","url":"{url}","body_base64":null}},"response":{{"status":200,"headers":[],"body":"{}"}}}}]}}"#,
        "a".repeat(2 << 20)
    );
    let e = replay(&Fixtures::from_json(&big).expect("big"), &fetching("0.2.0", &url, 1)).expect_err("too large");
    assert_eq!(e.code, ErrorCode::PolicyDataHttpResponseTooLarge);
}
