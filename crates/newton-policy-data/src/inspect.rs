//! Load-time checks: the size cap, the component header and the imports (only the Newton worlds)
//! before compiling; after compiling, the imports as wasmtime sees them and the `run` export.

use newton_core::{Error, ErrorCode, Result};
use serde_json::json;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::Component;
use wasmtime::Engine;

/// The Newton world a component targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WitVersion {
    /// `newton:provider@0.2.0`: http, secrets, tlsn.
    V0_2_0,
    /// `newton:provider@0.1.0`: http only (legacy oracles).
    V0_1_0,
}

impl WitVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            WitVersion::V0_2_0 => "0.2.0",
            WitVersion::V0_1_0 => "0.1.0",
        }
    }
}

const ALLOWED_0_2: [&str; 3] = ["newton:provider/http@0.2.0", "newton:provider/secrets@0.2.0", "newton:provider/tlsn@0.2.0"];
const ALLOWED_0_1: [&str; 1] = ["newton:provider/http@0.1.0"];

/// Refuses oversize modules and anything that is not a component binary, before compiling.
pub fn check_bytes(bytes: &[u8], max_bytes: u64) -> Result<()> {
    if bytes.len() as u64 > max_bytes {
        let msg = format!("the module is {} bytes, over the {max_bytes}-byte limit", bytes.len());
        return Err(Error::new(ErrorCode::PolicyDataTooLarge, msg));
    }
    let invalid = |m: &str| Err(Error::new(ErrorCode::PolicyDataInvalid, m.to_owned()));
    match bytes {
        [0, b'a', b's', b'm', _, _, 1, 0, ..] => Ok(()),
        [0, b'a', b's', b'm', 1, 0, 0, 0, ..] => invalid(
            "this is a core WebAssembly module, not a component: build it for the newton:provider world (e.g. `newton policy-data build`)",
        ),
        [0, b'a', b's', b'm', ..] => invalid("unsupported WebAssembly binary version or layer"),
        _ => invalid("not a WebAssembly binary (missing \\0asm header)"),
    }
}

/// The top-level import names of a component binary, read before compiling so that a forbidden
/// import is refused in milliseconds rather than after a multi-second compile.
pub fn scan_imports(bytes: &[u8]) -> Result<Vec<String>> {
    let invalid = |e: wasmparser::BinaryReaderError| Error::new(ErrorCode::PolicyDataInvalid, format!("malformed component: {e}"));
    let mut names = Vec::new();
    // Nested modules and components yield their own Version … End; only depth 1 is the top level.
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    names.push(import.map_err(invalid)?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(names)
}

/// The world the import names select. Anything outside the Newton worlds (wasi:http,
/// wasi:random, wasi:clocks, wasi:filesystem, …) is refused, naming the import.
pub fn check_import_names(imports: &[String]) -> Result<WitVersion> {
    let forbidden: Vec<&String> =
        imports.iter().filter(|n| !ALLOWED_0_2.contains(&n.as_str()) && !ALLOWED_0_1.contains(&n.as_str())).collect();
    if let Some(first) = forbidden.first() {
        let msg = format!(
            "the component imports `{first}`{}; PolicyData may import only newton:provider/{{http,secrets,tlsn}}@0.2.0 or newton:provider/http@0.1.0",
            if forbidden.len() > 1 { format!(" (and {} more)", forbidden.len() - 1) } else { String::new() }
        );
        return Err(Error::new(ErrorCode::PolicyDataForbiddenImport, msg).with_details(json!({ "imports": forbidden })));
    }
    let legacy = imports.iter().any(|n| ALLOWED_0_1.contains(&n.as_str()));
    let current = imports.iter().any(|n| ALLOWED_0_2.contains(&n.as_str()));
    if legacy && current {
        let msg = "the component mixes newton:provider@0.1.0 and @0.2.0 imports";
        return Err(Error::new(ErrorCode::PolicyDataForbiddenImport, msg).with_details(json!({ "imports": imports })));
    }
    Ok(if legacy { WitVersion::V0_1_0 } else { WitVersion::V0_2_0 })
}

/// The compiled component's imports (checked again, as wasmtime sees them), the world they select,
/// and the `run` export.
pub fn check_imports(engine: &Engine, component: &Component) -> Result<(WitVersion, Vec<String>)> {
    let ty = component.component_type();
    let imports: Vec<String> = ty.imports(engine).map(|(name, _)| name.to_owned()).collect();
    let version = check_import_names(&imports)?;
    match ty.get_export(engine, "run").map(|e| e.ty) {
        Some(ComponentItem::ComponentFunc(_)) => Ok((version, imports)),
        _ => Err(Error::new(
            ErrorCode::PolicyDataMissingExport,
            "the component does not export `run: func(input: string) -> result<string, string>`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_size_checks() {
        let component = [0, b'a', b's', b'm', 0x0d, 0, 1, 0];
        check_bytes(&component, 100).expect("component");
        let core = [0, b'a', b's', b'm', 1, 0, 0, 0];
        let e = check_bytes(&core, 100).expect_err("core");
        assert!(e.code == ErrorCode::PolicyDataInvalid && e.message.contains("core WebAssembly module"));
        assert_eq!(check_bytes(b"hello world", 100).expect_err("text").code, ErrorCode::PolicyDataInvalid);
        assert_eq!(check_bytes(&component, 4).expect_err("size").code, ErrorCode::PolicyDataTooLarge);
    }
}
