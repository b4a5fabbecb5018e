//! Hand-written component fixtures (component-model text, assembled by `wat`) and a tiny
//! local HTTP server for the http tests.
#![allow(dead_code)] // each test binary uses a different subset

use newton_policy_data::{HostConfig, PolicyDataHost, PolicyDataModule, RunOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

/// A bump allocator over the shared memory; the first page is reserved for return areas/data.
const REALLOC: &str = r#"
    (global $heap (mut i32) (i32.const 65536))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (block $ok
        (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (br_if $ok (i32.ne (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $heap)
                   (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))) (i32.const -1)))
        unreachable)
      (local.get $p))"#;

const RUN_EXPORT: &str = r#"
  (func (export "run") (param "input" string) (result (result string (error string)))
    (canon lift (core func $main "run") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))"#;

/// WAT string-literal escaping for data segments.
pub fn escape(text: &str) -> String {
    text.bytes().map(|b| format!("\\{b:02x}")).collect()
}

/// An import the component declares: its instance type, import name, and lowered core funcs
/// (`name` as seen by the main module → canon lower text).
pub struct Import {
    pub decl: String,
    pub lowers: Vec<(String, String, String)>, // (core name, canon lower source, core type)
}

pub fn http_import(version: &str) -> Import {
    Import {
        decl: format!(
            r#"(type $http-ty (instance
    (type $req (record (field "url" string) (field "method" string)
                       (field "headers" (list (tuple string string))) (field "body" (option (list u8)))))
    (export "http-request" (type $req-e (eq $req)))
    (type $resp (record (field "status" u16) (field "headers" (list (tuple string string))) (field "body" (list u8))))
    (export "http-response" (type $resp-e (eq $resp)))
    (type $fetch (func (param "request" $req-e) (result (result $resp-e (error string)))))
    (export "fetch" (func (type $fetch)))))
  (import "newton:provider/http@{version}" (instance $http (type $http-ty)))"#
        ),
        lowers: vec![(
            "fetch".into(),
            r#"(canon lower (func $http "fetch") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")))"#.into(),
            "(func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32))".into(),
        )],
    }
}

pub fn secrets_import() -> Import {
    Import {
        decl: r#"(type $sec-ty (instance
    (type $sr (record (field "value" (list u8))))
    (export "secret-response" (type $sr-e (eq $sr)))
    (type $get (func (result (result $sr-e (error string)))))
    (export "get" (func (type $get)))))
  (import "newton:provider/secrets@0.2.0" (instance $sec (type $sec-ty)))"#
            .into(),
        lowers: vec![(
            "get".into(),
            r#"(canon lower (func $sec "get") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")))"#.into(),
            "(func (param i32))".into(),
        )],
    }
}

pub fn tlsn_import() -> Import {
    Import {
        decl: r#"(type $tlsn-ty (instance
    (type $vd (record (field "server-name" string) (field "connection-time" u64)
                      (field "sent-transcript" (list u8)) (field "received-transcript" (list u8))
                      (field "notary-key-fingerprint" string)))
    (export "verified-data" (type $vd-e (eq $vd)))
    (type $vfc (func (param "proof-cid" string) (result (result $vd-e (error string)))))
    (export "verify-from-cid" (func (type $vfc)))
    (type $v (func (param "presentation-bytes" (list u8)) (result (result $vd-e (error string)))))
    (export "verify" (func (type $v)))))
  (import "newton:provider/tlsn@0.2.0" (instance $tlsn (type $tlsn-ty)))"#
            .into(),
        lowers: vec![(
            "verify-from-cid".into(),
            r#"(canon lower (func $tlsn "verify-from-cid") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")))"#.into(),
            "(func (param i32 i32 i32))".into(),
        )],
    }
}

/// A component whose core `run(ptr, len) -> retptr` has `body` and the given extra core items.
/// The main module sees memory as "libc" "mem" and each lowered import as "host" "<name>".
pub fn component(imports: &[Import], pages: u32, items: &str, body: &str) -> Vec<u8> {
    let decls: String = imports.iter().map(|i| format!("  {}\n", i.decl)).collect();
    let lowers: Vec<&(String, String, String)> = imports.iter().flat_map(|i| &i.lowers).collect();
    let core_funcs: String = lowers.iter().map(|(n, src, _)| format!("  (core func ${n} {src})\n")).collect();
    let core_imports: String = lowers.iter().map(|(n, _, ty)| {
        let ty = ty.replacen("(func", &format!("(func ${n}"), 1);
        format!("    (import \"host\" \"{n}\" {ty})\n")
    }).collect();
    let host_instance = if lowers.is_empty() {
        String::new()
    } else {
        let exports: String = lowers.iter().map(|(n, _, _)| format!("(export \"{n}\" (func ${n}))")).collect();
        format!("(with \"host\" (instance {exports}))")
    };
    let text = format!(
        r#"(component
{decls}
  (core module $libc_m
    (memory (export "mem") {pages})
    {REALLOC})
  (core instance $libc (instantiate $libc_m))
{core_funcs}
  (core module $main_m
    (import "libc" "mem" (memory 1))
{core_imports}
    {items}
    (func (export "run") (param i32 i32) (result i32)
      {body}))
  (core instance $main (instantiate $main_m (with "libc" (instance $libc)) {host_instance}))
{RUN_EXPORT}
)"#
    );
    wat::parse_str(&text).unwrap_or_else(|e| panic!("bad fixture: {e}\n{text}"))
}

/// Stores `result` (0 = ok, 1 = err) with string (ptr, len) in the return area at 0.
pub fn ret(disc: u32, ptr: &str, len: &str) -> String {
    format!("(i32.store8 (i32.const 0) (i32.const {disc})) (i32.store (i32.const 4) {ptr}) (i32.store (i32.const 8) {len}) (i32.const 0)")
}

/// Returns `ok(text)` (or `err(text)` with `disc = 1`).
pub fn returning(disc: u32, text: &str) -> Vec<u8> {
    let items = format!(r#"(data (i32.const 1024) "{}")"#, escape(text));
    component(&[], 2, &items, &ret(disc, "(i32.const 1024)", &format!("(i32.const {})", text.len())))
}

/// Returns its input unchanged.
pub fn echo() -> Vec<u8> {
    component(&[], 2, "", &ret(0, "(local.get 0)", "(local.get 1)"))
}

/// Runs `prelude` (core instructions) and then returns `ok("{}")`.
pub fn doing(items: &str, prelude: &str) -> Vec<u8> {
    let items = format!(r#"{items} (data (i32.const 1024) "{{}}")"#);
    component(&[], 2, &items, &format!("{prelude} {}", ret(0, "(i32.const 1024)", "(i32.const 2)")))
}

/// Calls `fetch(GET url)` `count` times; returns the last response body as ok, or its error as err.
pub fn fetching(version: &str, url: &str, count: u32) -> Vec<u8> {
    let items = format!(r#"(data (i32.const 1024) "{}") (data (i32.const 4096) "GET")"#, escape(url));
    let body = format!(
        r#"(local $n i32)
      (loop $again
        (call $fetch (i32.const 1024) (i32.const {len}) (i32.const 4096) (i32.const 3)
                     (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 256))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $n) (i32.const {count}))))
      (if (result i32) (i32.load8_u (i32.const 256))
        (then {err})
        (else {ok}))"#,
        len = url.len(),
        err = ret(1, "(i32.load (i32.const 260))", "(i32.load (i32.const 264))"),
        ok = ret(0, "(i32.load (i32.const 272))", "(i32.load (i32.const 276))"),
    );
    component(&[http_import(version)], 2, &items, &body)
}

/// Returns the secrets bytes as ok, or the `secrets.get` error as err.
pub fn reading_secrets() -> Vec<u8> {
    let body = format!(
        "(call $get (i32.const 256)) (if (result i32) (i32.load8_u (i32.const 256)) (then {}) (else {}))",
        ret(1, "(i32.load (i32.const 260))", "(i32.load (i32.const 264))"),
        ret(0, "(i32.load (i32.const 260))", "(i32.load (i32.const 264))"),
    );
    component(&[secrets_import()], 2, "", &body)
}

/// Calls `tlsn.verify-from-cid("bafy")`; returns its error as err (or `{}` if it "verified").
pub fn verifying_tlsn() -> Vec<u8> {
    let items = r#"(data (i32.const 1024) "bafy") (data (i32.const 2048) "{}")"#;
    let body = format!(
        "(call $verify-from-cid (i32.const 1024) (i32.const 4) (i32.const 256)) (if (result i32) (i32.load8_u (i32.const 256)) (then {}) (else {}))",
        ret(1, "(i32.load (i32.const 264))", "(i32.load (i32.const 268))"),
        ret(0, "(i32.const 2048)", "(i32.const 2)"),
    );
    component(&[tlsn_import()], 2, items, &body)
}

/// A component that imports `name` (an instance with one `f: func()`) and otherwise returns `{}`.
pub fn importing(name: &str) -> Vec<u8> {
    let text = format!(
        r#"(component
  (import "{name}" (instance $x (export "f" (func))))
  (core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 2048))
    (data (i32.const 1024) "{{}}")
    (func (export "run") (param i32 i32) (result i32)
      (i32.store8 (i32.const 0) (i32.const 0)) (i32.store (i32.const 4) (i32.const 1024))
      (i32.store (i32.const 8) (i32.const 2)) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") (param "input" string) (result (result string (error string)))
    (canon lift (core func $i "run") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
)"#
    );
    wat::parse_str(&text).expect("fixture")
}

pub fn host(json: &str) -> PolicyDataHost {
    PolicyDataHost::new(HostConfig::from_json(json).expect("config")).expect("host")
}

pub fn load(host: &PolicyDataHost, wasm: &[u8]) -> PolicyDataModule {
    host.load(wasm).expect("load")
}

pub fn run(module: &PolicyDataModule) -> newton_core::Result<String> {
    module.run("{}", RunOptions::default()).map(|r| r.output)
}

/// A local HTTP/1.1 server: `/json` → a small JSON object, `/big` → 2 MiB, `/redirect` → 302
/// to `/json`, `/slow` → answers after 3 s, anything else → 404. One thread per connection, `Connection: close`.
pub fn serve() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let mut length = 0usize;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body_in = vec![0; length];
                let _ = reader.read_exact(&mut body_in);
                let (status, extra, body): (&str, String, Vec<u8>) = match path.as_str() {
                    "/json" => ("200 OK", String::new(), br#"{"price":42,"source":"local"}"#.to_vec()),
                    "/big" => ("200 OK", String::new(), vec![b'a'; 2 * 1024 * 1024]),
                    "/redirect" => ("302 Found", "Location: /json\r\n".into(), Vec::new()),
                    "/slow" => {
                        std::thread::sleep(std::time::Duration::from_secs(3));
                        ("200 OK", String::new(), b"{}".to_vec())
                    }
                    _ => ("404 Not Found", String::new(), b"{}".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                    body.len()
                );
                let mut stream = reader.into_inner();
                let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
            });
        }
    });
    port
}
