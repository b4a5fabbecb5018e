//! The one table of stable error codes. A code never changes meaning once published; new
//! failures get new codes. `rpc` is the JSON-RPC error code the gateway answers with.

use serde::Serialize;

macro_rules! codes {
    ($($variant:ident = $name:literal, $rpc:literal, $doc:literal;)*) => {
        /// A stable, machine-readable error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable string form, e.g. `NEWTON_ERR_POLICY_PARSE`.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $name,)* }
            }

            /// The JSON-RPC error code this failure maps to.
            pub const fn rpc_code(self) -> i32 {
                match self { $(ErrorCode::$variant => $rpc,)* }
            }

            /// One-line description for the documented table.
            pub const fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $doc,)* }
            }

            /// Looks a code up by its string form.
            /// The whole table as JSON: `[{"code", "rpcCode", "description"}]` (what
            /// `docs/errors.md` and the TypeScript codes are generated from).
            pub fn table_json() -> String {
                let rows: Vec<_> = Self::ALL
                    .iter()
                    .map(|c| serde_json::json!({"code": c.as_str(), "rpcCode": c.rpc_code(), "description": c.description()}))
                    .collect();
                serde_json::Value::Array(rows).to_string()
            }

            pub fn parse(name: &str) -> Option<ErrorCode> {
                match name { $($name => Some(ErrorCode::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    InvalidArgument = "NEWTON_ERR_INVALID_ARGUMENT", -32602, "An argument is missing, of the wrong type or out of range.";
    InvalidJson = "NEWTON_ERR_INVALID_JSON", -32602, "A JSON document does not parse or has the wrong shape.";
    Io = "NEWTON_ERR_IO", -32603, "A file could not be read or written.";
    IntentInvalid = "NEWTON_ERR_INTENT_INVALID", -32602, "The intent has a malformed field (address, quantity or hex data).";
    AbiSignature = "NEWTON_ERR_ABI_SIGNATURE", -32602, "The intent's function_signature is not a valid Solidity function signature.";
    AbiDecode = "NEWTON_ERR_ABI_DECODE", -32602, "The intent's data does not ABI-decode against its function signature.";
    PolicyParse = "NEWTON_ERR_POLICY_PARSE", -32602, "A Rego module does not parse; details carry file, line and column.";
    PolicyCompile = "NEWTON_ERR_POLICY_COMPILE", -32602, "The Rego modules parse but do not compile together.";
    PolicyNondeterministic = "NEWTON_ERR_POLICY_NONDETERMINISTIC", -32602, "The policy calls a non-deterministic builtin; details name it and its location.";
    PolicyEntrypoint = "NEWTON_ERR_POLICY_ENTRYPOINT", -32602, "The entrypoint is malformed or names no rule in the policy.";
    PolicyEval = "NEWTON_ERR_POLICY_EVAL", -32615, "Evaluation raised an error (the decision is deny).";
    ParamsSchemaInvalid = "NEWTON_ERR_PARAMS_SCHEMA_INVALID", -32602, "The params JSON Schema itself is not a valid schema.";
    ParamsSchemaViolation = "NEWTON_ERR_PARAMS_SCHEMA_VIOLATION", -32602, "data.params does not satisfy the policy's params JSON Schema.";
    BuiltinUnsupported = "NEWTON_ERR_BUILTIN_UNSUPPORTED", -32615, "The policy called a builtin this engine does not support yet (the decision is deny).";
    LimitTime = "NEWTON_ERR_LIMIT_TIME", -32615, "Evaluation exceeded its time limit.";
    LimitSize = "NEWTON_ERR_LIMIT_SIZE", -32602, "An input exceeded its size limit (policy bytes, module count, JSON bytes).";
    LimitMemory = "NEWTON_ERR_LIMIT_MEMORY", -32615, "Evaluation exceeded its memory limit.";
    LimitDepth = "NEWTON_ERR_LIMIT_DEPTH", -32602, "A Rego module or a JSON document (input, params, data, PolicyData output) nests deeper than the limit.";
    PolicyRecursion = "NEWTON_ERR_POLICY_RECURSION", -32602, "Rules or functions of the policy depend on themselves (rego_recursion_error); details list the cycle.";
    PolicyEvalDepth = "NEWTON_ERR_POLICY_EVAL_DEPTH", -32615, "Rule/function evaluations or the values they build nested deeper than the limit (the decision is deny).";
    PolicyLimitElements = "NEWTON_ERR_POLICY_LIMIT_ELEMENTS", -32615, "Evaluation created more collection elements than its budget (the decision is deny).";
    PolicyLimitStringBytes = "NEWTON_ERR_POLICY_LIMIT_STRING_BYTES", -32615, "Evaluation created more string bytes than its budget (the decision is deny).";
    PolicyLimitInteger = "NEWTON_ERR_POLICY_LIMIT_INTEGER", -32615, "An integer grew past the size limit in bits (the decision is deny).";
    TestFailed = "NEWTON_ERR_TEST_FAILED", -32615, "One or more policy tests failed.";
    BlsBadEncoding = "NEWTON_ERR_BLS_BAD_ENCODING", -32602, "BLS key or signature bytes are malformed, not on the curve or not in the subgroup.";
    BlsKeyInvalid = "NEWTON_ERR_BLS_KEY_INVALID", -32602, "A BLS secret key is zero/out of range or a public key is the point at infinity.";
    BlsPopInvalid = "NEWTON_ERR_BLS_POP_INVALID", -32602, "An operator's proof of possession does not verify (rogue-key protection).";
    KeystoreInvalid = "NEWTON_ERR_KEYSTORE_INVALID", -32602, "An EIP-2335 keystore is malformed or uses an unsupported KDF/cipher.";
    KeystorePassword = "NEWTON_ERR_KEYSTORE_PASSWORD", -32602, "The keystore password is wrong (checksum mismatch) or missing.";
    OperatorUnknown = "NEWTON_ERR_OPERATOR_UNKNOWN", -32617, "A signature or certificate names an operator that is not registered.";
    InsufficientQuorumStake = "NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE", -32615, "Signed stake is below the quorum threshold (InsufficientQuorumStake).";
    SignatureInvalid = "NEWTON_ERR_SIGNATURE_INVALID", -32615, "The (aggregate) BLS signature does not verify for the message and signers.";
    PolicyIdMismatch = "NEWTON_ERR_POLICY_ID_MISMATCH", -32615, "The attestation's policy id is not the client's policy id (PolicyIdMismatch).";
    IntentSenderMismatch = "NEWTON_ERR_INTENT_SENDER_MISMATCH", -32615, "The intent sender is not the caller (Unauthorized: Not authorized intent sender).";
    ChainIdMismatch = "NEWTON_ERR_CHAIN_ID_MISMATCH", -32615, "The intent's chain id is not this chain (Unauthorized: Chain ID does not match).";
    AttestationExpired = "NEWTON_ERR_ATTESTATION_EXPIRED", -32615, "The attestation's expiration has passed (AttestationExpired; expiry is exclusive).";
    AttestationAlreadySpent = "NEWTON_ERR_ATTESTATION_ALREADY_SPENT", -32615, "The attestation was already used (AttestationAlreadySpent).";
    AttestationHashMismatch = "NEWTON_ERR_ATTESTATION_HASH_MISMATCH", -32615, "The attestation does not hash to the attested value (AttestationHashMismatch).";
    PolicyDenied = "NEWTON_ERR_POLICY_DENIED", -32615, "The attested evaluation result is not an allow (PolicyDenied).";
    Store = "NEWTON_ERR_STORE", -32603, "The durable store (SQLite) failed; nothing was marked.";
    Internal = "NEWTON_ERR_INTERNAL", -32603, "A bug: an invariant broke or a panic was caught. Please report it.";
    PrivacyDecrypt = "NEWTON_ERR_PRIVACY_DECRYPT", -32602, "A privacy envelope does not decrypt: tampered ciphertext or wrong AAD (policy client / chain id).";
    PrivacyWrongRecipient = "NEWTON_ERR_PRIVACY_WRONG_RECIPIENT", -32602, "A privacy envelope's recipient_pubkey is not one of this node's keys.";
    PrivacyPolicyClientMismatch = "NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH", -32602, "A privacy envelope is bound to a different policy client than the task's.";
    PrivacyEnvelopeInvalid = "NEWTON_ERR_PRIVACY_ENVELOPE_INVALID", -32602, "A privacy envelope is malformed (JSON, hex or field lengths).";
    PrivacyKeyRetired = "NEWTON_ERR_PRIVACY_KEY_RETIRED", -32602, "A privacy envelope is sealed to a retired key.";
    PolicyDataInvalid = "NEWTON_ERR_POLICY_DATA_INVALID", -32602, "A PolicyData module is not a valid WebAssembly component (a core module, or it does not compile).";
    PolicyDataForbiddenImport = "NEWTON_ERR_POLICY_DATA_FORBIDDEN_IMPORT", -32602, "A PolicyData component imports something other than newton:provider/{http,secrets,tlsn}@0.2.0 or http@0.1.0; details name the import.";
    PolicyDataMissingExport = "NEWTON_ERR_POLICY_DATA_MISSING_EXPORT", -32602, "A PolicyData component does not export `run: func(input: string) -> result<string, string>`.";
    PolicyDataTooLarge = "NEWTON_ERR_POLICY_DATA_TOO_LARGE", -32602, "A PolicyData module exceeds the maximum module size; it was not compiled.";
    PolicyDataLimitFuel = "NEWTON_ERR_POLICY_DATA_LIMIT_FUEL", -32620, "A PolicyData run used up its fuel (instruction budget).";
    PolicyDataLimitMemory = "NEWTON_ERR_POLICY_DATA_LIMIT_MEMORY", -32620, "A PolicyData run tried to grow memory or a table past its cap.";
    PolicyDataLimitStack = "NEWTON_ERR_POLICY_DATA_LIMIT_STACK", -32620, "A PolicyData run overflowed its WebAssembly stack (e.g. unbounded recursion).";
    PolicyDataLimitTime = "NEWTON_ERR_POLICY_DATA_LIMIT_TIME", -32620, "A PolicyData run exceeded its wall-clock limit.";
    PolicyDataTrap = "NEWTON_ERR_POLICY_DATA_TRAP", -32620, "A PolicyData run trapped (unreachable, out-of-bounds access, ...); the message carries the trap reason.";
    PolicyDataGuestError = "NEWTON_ERR_POLICY_DATA_GUEST_ERROR", -32620, "A PolicyData module returned Err; the message is `WASM execution failed: ` and the guest's text.";
    PolicyDataOutputInvalid = "NEWTON_ERR_POLICY_DATA_OUTPUT_INVALID", -32620, "A PolicyData module returned Ok with text that is not JSON.";
    PolicyDataOutputNotObject = "NEWTON_ERR_POLICY_DATA_OUTPUT_NOT_OBJECT", -32620, "A PolicyData module returned JSON that is not an object.";
    PolicyDataOutputTooLarge = "NEWTON_ERR_POLICY_DATA_OUTPUT_TOO_LARGE", -32620, "A PolicyData module returned more than the maximum output bytes.";
    PolicyDataOutputSchemaViolation = "NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION", -32602, "A PolicyData module's output does not satisfy the given JSON Schema; details list the violations.";
    PolicyDataSchemaInvalid = "NEWTON_ERR_POLICY_DATA_SCHEMA_INVALID", -32602, "A secrets or output JSON Schema given for PolicyData is not a valid schema.";
    PolicyDataHttpForbidden = "NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN", -32620, "A PolicyData http.fetch was refused: a private/loopback/link-local address not on the allow list, or a scheme other than http/https.";
    PolicyDataHttpCallLimit = "NEWTON_ERR_POLICY_DATA_HTTP_CALL_LIMIT", -32620, "A PolicyData run made more http.fetch calls than allowed.";
    PolicyDataHttpResponseTooLarge = "NEWTON_ERR_POLICY_DATA_HTTP_RESPONSE_TOO_LARGE", -32620, "A PolicyData http.fetch response body exceeded the maximum response bytes.";
    PolicyDataHttpFixtureMissing = "NEWTON_ERR_POLICY_DATA_HTTP_FIXTURE_MISSING", -32620, "In replay mode a PolicyData http.fetch had no recorded fixture; the message names method and URL.";
    PolicyDataSecretsSchemaViolation = "NEWTON_ERR_POLICY_DATA_SECRETS_SCHEMA_VIOLATION", -32602, "A secrets document does not satisfy the PolicyData's secrets JSON Schema (values are never echoed).";
    PrivacyAadMismatch = "NEWTON_ERR_PRIVACY_AAD_MISMATCH", -32602, "A privacy envelope's AAD binds it to another chain than the task's (or the store's).";
    PrivacyUnknownDataRef = "NEWTON_ERR_PRIVACY_UNKNOWN_DATA_REF", -32602, "A data_ref_id names no stored envelope.";
    PrivacyNoGrant = "NEWTON_ERR_PRIVACY_NO_GRANT", -32615, "The policy client has no accepted grant for the confidential data it reads (the decision is deny).";
    PrivacyGrantRevoked = "NEWTON_ERR_PRIVACY_GRANT_REVOKED", -32615, "The provider revoked the policy client's grant to the confidential data it reads (the decision is deny).";
    PrivacyUnauthorized = "NEWTON_ERR_PRIVACY_UNAUTHORIZED", -32002, "A registry change is not signed by the party it belongs to, or its nonce or deadline is stale.";
    ConsensusToleranceExceeded = "NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED", -32620, "Operators' PolicyData numbers differ from their median by more than the tolerance (ToleranceExceeded); details name the JSON path.";
    ConsensusFailed = "NEWTON_ERR_CONSENSUS_FAILED", -32620, "Operators' PolicyData cannot be agreed on: a string, boolean or structure differs, or the results are for different tasks; details name the JSON path.";
    OperatorTimeout = "NEWTON_ERR_OPERATOR_TIMEOUT", -32000, "An operator did not answer a round within its timeout; the task needs the others' quorum.";
    OperatorUnavailable = "NEWTON_ERR_OPERATOR_UNAVAILABLE", -32000, "An operator could not be reached or answered with a transport failure.";
    MethodNotFound = "NEWTON_ERR_METHOD_NOT_FOUND", -32601, "The gateway has no JSON-RPC method of that name.";
    Unauthorized = "NEWTON_ERR_UNAUTHORIZED", -32002, "The request carries no valid API key (or owner signature) for this method.";
    Forbidden = "NEWTON_ERR_FORBIDDEN", -32002, "The caller is known but may not do this (another owner's client, a missing permission).";
    RateLimited = "NEWTON_ERR_RATE_LIMITED", -32000, "Too many requests for this API key or address; retry after the window (HTTP 429).";
    NotFound = "NEWTON_ERR_NOT_FOUND", -32602, "The task, policy, module, client or webhook named does not exist.";
    Conflict = "NEWTON_ERR_CONFLICT", -32602, "The request conflicts with what is stored (e.g. the policy client is already registered).";
    Timeout = "NEWTON_ERR_TIMEOUT", -32000, "A request ran past the gateway's request timeout.";
    Unavailable = "NEWTON_ERR_UNAVAILABLE", -32000, "The gateway is shutting down or has no operators; retry later or elsewhere.";
    SandboxBusy = "NEWTON_ERR_SANDBOX_BUSY", -32005, "The gateway's sandbox queue for untrusted policies is full; retry later.";
    SandboxTimeout = "NEWTON_ERR_SANDBOX_TIMEOUT", -32615, "A sandboxed simulation ran past its timeout; its worker process was killed.";
    SandboxMemory = "NEWTON_ERR_SANDBOX_MEMORY", -32615, "A sandboxed simulation ran past its memory cap; its worker process was killed.";
    SandboxCrashed = "NEWTON_ERR_SANDBOX_CRASHED", -32603, "A sandbox worker process died (or failed to start) while running the job.";
    SandboxClosed = "NEWTON_ERR_SANDBOX_CLOSED", -32603, "The sandbox pool closed (gateway shutdown) before the job ran or finished.";
    LogVerification = "NEWTON_ERR_LOG_VERIFICATION", -32602, "A decision-log entry, proof or signed tree head does not verify (an edited, reordered, truncated or rolled-back log, or a bad signature).";
    Chain = "NEWTON_ERR_CHAIN", -32000, "Chain mode: the chain's RPC failed, or a contract call or transaction reverted; the message names the call and the revert.";
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_prefixed_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(code.as_str().starts_with("NEWTON_ERR_"), "{code}");
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert!(!code.description().is_empty());
        }
        assert_eq!(ErrorCode::parse("NEWTON_ERR_NOPE"), None);
    }
}
