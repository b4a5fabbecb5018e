//! Hand-written PolicyData components (component-model text assembled by `wat`, as in
//! newton-policy-data's tests), operators and tasks.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use newton_bls::SecretKey;
use newton_operator::{PolicyDataSource, PolicyDeployment, TaskEvaluator};
use newton_policy::CompileOptions;
use newton_policy_data::{HostConfig, PolicyDataHost, RunOptions};
use newton_types::{sol, TaskIntent};
use std::path::PathBuf;

/// A bump allocator over the shared memory; the first page is for return areas and data.
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

const HTTP_IMPORT: &str = r#"(type $http-ty (instance
    (type $req (record (field "url" string) (field "method" string)
                       (field "headers" (list (tuple string string))) (field "body" (option (list u8)))))
    (export "http-request" (type $req-e (eq $req)))
    (type $resp (record (field "status" u16) (field "headers" (list (tuple string string))) (field "body" (list u8))))
    (export "http-response" (type $resp-e (eq $resp)))
    (type $fetch (func (param "request" $req-e) (result (result $resp-e (error string)))))
    (export "fetch" (func (type $fetch)))))
  (import "newton:provider/http@0.2.0" (instance $http (type $http-ty)))"#;

fn escape(text: &str) -> String {
    text.bytes().map(|b| format!("\\{b:02x}")).collect()
}

/// Stores `result` (0 = ok, 1 = err) with string (ptr, len) in the return area at 0.
fn ret(disc: u32, ptr: &str, len: &str) -> String {
    format!("(i32.store8 (i32.const 0) (i32.const {disc})) (i32.store (i32.const 4) {ptr}) (i32.store (i32.const 8) {len}) (i32.const 0)")
}

/// A component whose core `run(ptr, len) -> retptr` is `body`; with `http`, `$fetch` is the
/// lowered `newton:provider/http@0.2.0` fetch.
fn component(http: bool, items: &str, body: &str) -> Vec<u8> {
    let (import, lower, core_import, with) = match http {
        true => (
            HTTP_IMPORT,
            r#"(core func $fetch (canon lower (func $http "fetch") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))"#,
            r#"(import "host" "fetch" (func $fetch (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))"#,
            r#"(with "host" (instance (export "fetch" (func $fetch))))"#,
        ),
        false => ("", "", "", ""),
    };
    let text = format!(
        r#"(component
  {import}
  (core module $libc_m (memory (export "mem") 2) {REALLOC})
  (core instance $libc (instantiate $libc_m))
  {lower}
  (core module $main_m
    (import "libc" "mem" (memory 1))
    {core_import}
    {items}
    (func (export "run") (param i32 i32) (result i32) {body}))
  (core instance $main (instantiate $main_m (with "libc" (instance $libc)) {with}))
  (func (export "run") (param "input" string) (result (result string (error string)))
    (canon lift (core func $main "run") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
)"#
    );
    wat::parse_str(&text).unwrap_or_else(|e| panic!("bad fixture: {e}\n{text}"))
}

/// Returns `ok(text)`.
pub fn returning(text: &str) -> Vec<u8> {
    let items = format!(r#"(data (i32.const 1024) "{}")"#, escape(text));
    component(false, &items, &ret(0, "(i32.const 1024)", &format!("(i32.const {})", text.len())))
}

/// Returns its input (the wasm_args it was given) unchanged.
pub fn echo() -> Vec<u8> {
    component(false, "", &ret(0, "(local.get 0)", "(local.get 1)"))
}

/// `GET url` once; returns the response body as ok, or the fetch error as err.
pub fn fetching(url: &str) -> Vec<u8> {
    let items = format!(r#"(data (i32.const 1024) "{}") (data (i32.const 4096) "GET")"#, escape(url));
    let body = format!(
        r#"(call $fetch (i32.const 1024) (i32.const {len}) (i32.const 4096) (i32.const 3)
                     (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 256))
      (if (result i32) (i32.load8_u (i32.const 256))
        (then {err})
        (else {ok}))"#,
        len = url.len(),
        err = ret(1, "(i32.load (i32.const 260))", "(i32.load (i32.const 264))"),
        ok = ret(0, "(i32.load (i32.const 272))", "(i32.load (i32.const 276))"),
    );
    component(true, &items, &body)
}

pub fn repo_file(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn host() -> PolicyDataHost {
    PolicyDataHost::new(HostConfig::default()).expect("host")
}

/// An operator key and its id (keccak of the public key, as EigenLayer's is a key hash).
pub fn signer(seed: u64) -> (B256, SecretKey) {
    let key = SecretKey::from_ikm(keccak256(seed.to_be_bytes()).as_slice()).expect("key");
    (keccak256(key.public_key().to_bytes()), key)
}

pub const CLIENT: Address = Address::repeat_byte(0xc1);
pub const CHAIN_ID: u64 = 11_155_111;
pub const CREATED_BLOCK: u32 = 90;

pub fn policy_address() -> Address {
    Address::repeat_byte(0xaa)
}

pub fn policy_data_address(i: u8) -> Address {
    Address::repeat_byte(0xd0 + i)
}

/// An operator serving `CLIENT` with `rego` (entrypoint `test.allow`), `params` and one
/// PolicyData source per module (`expireAfter` 100 + index), each run with `run_options`.
pub fn operator(seed: u64, host: &PolicyDataHost, rego: &str, params: &str, modules: &[(Vec<u8>, RunOptions)]) -> TaskEvaluator {
    let mut evaluator = TaskEvaluator::new(signer(seed).1, host.clone());
    let policy_cid = evaluator.add_policy(rego, "test.allow", CompileOptions::default()).expect("policy");
    let mut policy_data = Vec::new();
    for (i, (wasm, run_options)) in modules.iter().enumerate() {
        policy_data.push(PolicyDataSource {
            address: policy_data_address(i as u8),
            wasm_cid: evaluator.add_policy_data(wasm).expect("module"),
            expire_after: 100 + i as u32,
            run_options: run_options.clone(),
        });
    }
    let deployment = PolicyDeployment {
        policy_id: keccak256("policy"),
        policy_address: policy_address(),
        policy_cid,
        policy_config: sol::PolicyConfig { policyParams: Bytes::copy_from_slice(params.as_bytes()), expireAfter: 60 },
        policy_data,
    };
    evaluator.set_policy(CLIENT, deployment).expect("set_policy");
    evaluator
}

/// A task of `CLIENT` for the wire intent `intent_json` with `wasm_args`.
pub fn task(intent_json: &str, wasm_args: &str) -> sol::Task {
    let intent = TaskIntent::from_json(intent_json).expect("intent").to_sol().expect("sol");
    let timestamp = U256::from(1_700_000_000u64);
    sol::Task {
        taskId: newton_types::hash::task_id(CLIENT, &intent, timestamp, U256::from(1u8)),
        policyClient: CLIENT,
        taskCreatedBlock: CREATED_BLOCK,
        quorumThresholdPercentage: 40,
        intent,
        intentSignature: Bytes::from(vec![0x1b; 65]),
        wasmArgs: Bytes::copy_from_slice(wasm_args.as_bytes()),
        quorumNumbers: Bytes::from_static(&[0]),
        initializationTimestamp: timestamp,
    }
}

/// A transfer intent on Sepolia from the vectors' example sender.
pub const TRANSFER: &str = r#"{
    "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "to": "0xb1aD5f82407bC0f19f42b2614fb9083035a36b69",
    "value": "0x0", "data": "0x", "chain_id": "0xaa36a7", "function_signature": "0x"
}"#;
