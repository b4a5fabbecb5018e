//! PolicyData oracle `kyc_screen` in Rust: the same screening as ../kyc-screen/oracle.js, with
//! byte-identical output on the same fixtures (JSON.stringify's compact form, JS String() of values).
//!
//! wasm_args: `{"kyc_screen": {"address": "0x…", "base_url": "https://…"}}` (or the inner object alone).
//! secrets:   `{"KYC_API_KEY": "…"}` (optional), sent as the X-API-Key header.
//! output:    `{"kyc_screen": {"address", "sanctioned", "sanctions_lists", "kyc_status", "country"}}`,
//!            or `{"kyc_screen": {"error": "…"}}` on any failure, so the policy fails closed.

wit_bindgen::generate!({ world: "newton-provider", path: "wit" });

use newton::provider::http::{fetch, HttpRequest};
use newton::provider::secrets::get;
use serde_json::{json, Value};

const PACK_ID: &str = "kyc_screen";

struct Oracle;

impl Guest for Oracle {
    fn run(input: String) -> Result<String, String> {
        let output = match screen_input(&input) {
            Ok(screened) => json!({ PACK_ID: screened }),
            Err(error) => json!({ PACK_ID: { "error": error } }),
        };
        Ok(output.to_string())
    }
}

export!(Oracle);

fn screen_input(input: &str) -> Result<Value, String> {
    let parsed: Value = serde_json::from_str(if input.is_empty() { "{}" } else { input })
        .map_err(|e| e.to_string())?;
    let args = match parsed.get(PACK_ID) {
        Some(Value::Null) | None => &parsed,
        Some(inner) => inner,
    };
    screen(args, api_key().as_deref())
}

fn screen(args: &Value, key: Option<&str>) -> Result<Value, String> {
    let address = match args.get("address") {
        None | Some(Value::Null) => String::new(),
        Some(v) => js_string(Some(v)).to_lowercase(),
    };
    let hex = address.strip_prefix("0x").unwrap_or_default();
    if !(hex.len() == 40 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))) {
        return Err("wasm_args.address must be a 0x-prefixed 20-byte hex address".into());
    }
    let base_url = match args.get("base_url") {
        Some(Value::String(url)) if url.starts_with("http://") || url.starts_with("https://") => {
            url
        }
        _ => return Err("wasm_args.base_url must be an http(s) URL".into()),
    };
    let base = format!("{}/v1/addresses/{address}", base_url.trim_end_matches('/'));

    let (_, sanctions) = get_json(&format!("{base}/sanctions"), key, &[200])?;
    let lists: Vec<String> = match sanctions.get("identifications") {
        Some(Value::Array(ids)) => ids.iter().map(|id| js_string(id.get("name"))).collect(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err("sanctions.identifications is not a list".into()),
    };
    let (status, kyc) = get_json(&format!("{base}/kyc"), key, &[200, 404])?;
    let (kyc_status, country) = if status == 404 {
        ("none".to_owned(), Value::Null)
    } else {
        (
            js_string(kyc.get("status")),
            kyc.get("country").cloned().unwrap_or(Value::Null),
        )
    };
    Ok(json!({
        "address": address,
        "sanctioned": !lists.is_empty(),
        "sanctions_lists": lists,
        "kyc_status": kyc_status,
        "country": country,
    }))
}

fn get_json(url: &str, key: Option<&str>, ok_statuses: &[u16]) -> Result<(u16, Value), String> {
    let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
    if let Some(key) = key.filter(|k| !k.is_empty()) {
        headers.push(("x-api-key".to_owned(), key.to_owned()));
    }
    let res = fetch(&HttpRequest {
        url: url.to_owned(),
        method: "GET".to_owned(),
        headers,
        body: None,
    })?;
    if !ok_statuses.contains(&res.status) {
        return Err(format!("GET {url}: HTTP {}", res.status));
    }
    let body =
        serde_json::from_str(&String::from_utf8_lossy(&res.body)).map_err(|e| e.to_string())?;
    Ok((res.status, body))
}

/// KYC_API_KEY from the secrets scope, if any secrets were stored.
fn api_key() -> Option<String> {
    let secrets: Value = serde_json::from_slice(&get().ok()?.value).ok()?;
    secrets.get("KYC_API_KEY")?.as_str().map(str::to_owned)
}

/// JavaScript's String(value) for JSON values (`None`: a missing field, `undefined`).
fn js_string(value: Option<&Value>) -> String {
    match value {
        None => "undefined".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                if v.is_null() {
                    String::new()
                } else {
                    js_string(Some(v))
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(Value::Object(_)) => "[object Object]".into(),
        Some(other) => other.to_string(),
    }
}
