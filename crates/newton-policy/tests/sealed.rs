//! Sealed identity/confidential data: opened only when a builtin reads it, and a failure to
//! open it denies with its own error code.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use newton_core::{Error, ErrorCode, Result};
use newton_policy::builtins::PrivateData;
use newton_policy::{CompileOptions, EvalRequest, Policy, PolicyModule};
use serde_json::{json, Map, Value};

#[derive(Debug, Default)]
struct Counting {
    identity_calls: AtomicUsize,
    confidential_calls: AtomicUsize,
    fail_with: Option<ErrorCode>,
}

impl PrivateData for Counting {
    fn identity(&self) -> Result<Map<String, Value>> {
        self.identity_calls.fetch_add(1, Ordering::SeqCst);
        if let Some(code) = self.fail_with {
            return Err(Error::new(code, "cannot open the identity envelope"));
        }
        Ok(json!({"kyc": {"status": "approved"}}).as_object().cloned().unwrap_or_default())
    }

    fn confidential(&self) -> Result<Map<String, Value>> {
        self.confidential_calls.fetch_add(1, Ordering::SeqCst);
        Ok(json!({"blacklist": {"addresses": ["0xdead"]}}).as_object().cloned().unwrap_or_default())
    }
}

fn compile(rules: &str) -> Policy {
    let source = format!("package p\nimport rego.v1\n{rules}\n");
    let modules = [PolicyModule { path: "p.rego".into(), source }];
    Policy::compile(&modules, "p.allow", CompileOptions::default()).expect("compiles")
}

fn request(sealed: &Arc<Counting>) -> EvalRequest {
    let mut request = EvalRequest { input: Some(json!({"to": "0xbeef"})), ..EvalRequest::default() };
    request.context.sealed = Some(Arc::clone(sealed) as Arc<dyn PrivateData>);
    request
}

#[test]
fn sealed_data_opens_once_and_only_when_read() {
    let policy = compile(
        "allow if {\n  newton.identity.kyc.check_approved()\n  newton.identity.get(\"status\") == \"approved\"\n  \
         not newton.confidential.blacklist.contains(input.to)\n}",
    );
    let sealed = Arc::new(Counting::default());
    let decision = policy.evaluate(&request(&sealed)).expect("evaluates");
    assert!(decision.allow, "{decision:?}");
    assert_eq!(sealed.identity_calls.load(Ordering::SeqCst), 1, "identity opened once per evaluation");
    assert_eq!(sealed.confidential_calls.load(Ordering::SeqCst), 1);

    let untouched = compile("allow if input.to == \"0xbeef\"");
    let sealed = Arc::new(Counting::default());
    assert!(untouched.evaluate(&request(&sealed)).expect("evaluates").allow);
    assert_eq!(sealed.identity_calls.load(Ordering::SeqCst), 0, "a policy without the builtins opens nothing");
    assert_eq!(sealed.confidential_calls.load(Ordering::SeqCst), 0);
}

#[test]
fn a_failure_to_open_denies_with_its_code() {
    let policy = compile("allow if newton.identity.kyc.check_approved()");
    let sealed = Arc::new(Counting { fail_with: Some(ErrorCode::PrivacyDecrypt), ..Counting::default() });
    let decision = policy.evaluate(&request(&sealed)).expect("evaluates");
    assert!(!decision.allow);
    assert_eq!(decision.error.map(|e| e.code), Some(ErrorCode::PrivacyDecrypt));

    // Even a rule that would swallow the builtin's failure cannot turn it into an allow.
    let lenient = compile("default allow := false\nallow if not newton.identity.kyc.check_approved()");
    let decision = lenient.evaluate(&request(&sealed)).expect("evaluates");
    assert!(!decision.allow);
    assert_eq!(decision.error.map(|e| e.code), Some(ErrorCode::PrivacyDecrypt));
}
