//! Evaluation: the context a Newton operator builds, and the [`Decision`] it yields.

use crate::builtins::{parse_date, with_context, EvalContext};
use crate::params_cache::ParamsEntry;
use crate::{context_rule, diagnostics, guard, Policy};
use newton_core::{json_kind, Error, ErrorCode, Result};
use newton_types::{evaluation_result::encode_evaluation_result, parse_intent, TaskIntent};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything one evaluation sees. Build it with [`EvalRequest::from_json`].
#[derive(Clone, Debug, Default)]
pub struct EvalRequest {
    /// Rego `input`: the parsed intent, a raw document, or undefined when neither is given.
    pub input: Option<Value>,
    /// `data.params`: the client's policy params.
    pub params: Value,
    /// `data.wasm` (and its legacy alias `data.data`): merged PolicyData output.
    pub wasm: Value,
    /// `data.privacy`: decrypted ephemeral data, when the task carries any.
    pub privacy: Option<Value>,
    /// Identity/confidential data and the reference date the Newton builtins read.
    pub context: EvalContext,
    /// A failure found while completing the request (e.g. private data that does not open): the
    /// evaluation does not run and the decision is a deny carrying it.
    pub failure: Option<Error>,
}

/// The wire form of an evaluation request (JSON, snake_case).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRequest {
    intent: Option<Value>,
    input: Option<Value>,
    params: Option<Value>,
    wasm: Option<Value>,
    privacy: Option<Value>,
    identity: Option<Map<String, Value>>,
    confidential: Option<Map<String, Value>>,
    reference_date: Option<String>,
}

impl EvalRequest {
    /// Parses `{intent | input, params?, wasm?, privacy?, identity?, confidential?,
    /// reference_date?}`. `intent` is a wire TaskIntent, parsed as Newton operators do; `input`
    /// is used verbatim. `max_bytes` bounds the JSON text.
    pub fn from_json(json: &str, max_bytes: usize) -> Result<Self> {
        if json.len() > max_bytes {
            return Err(Error::new(
                ErrorCode::LimitSize,
                format!("evaluation request is {} bytes; the limit is {max_bytes}", json.len()),
            ));
        }
        let wire: WireRequest = Error::parse_json("evaluation request", json)?;
        let input = match (wire.intent, wire.input) {
            (Some(intent), None) => Some(parse_intent(&TaskIntent::from_value(intent)?)?),
            (None, input) => input,
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument("give either `intent` or `input`, not both"))
            }
        };
        let reference_date = wire
            .reference_date
            .map(|d| parse_date("request", "reference_date", &d).map_err(|e| Error::invalid_argument(e.to_string())))
            .transpose()?;
        Ok(Self {
            input,
            params: object_or_empty("params", wire.params)?,
            wasm: object_or_empty("wasm", wire.wasm)?,
            privacy: wire.privacy,
            failure: None,
            context: EvalContext {
                identity: wire.identity.unwrap_or_default(),
                confidential: wire.confidential.unwrap_or_default(),
                reference_date,
                sealed: None,
            },
        })
    }
}

fn object_or_empty(field: &str, value: Option<Value>) -> Result<Value> {
    match value {
        None | Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(v @ Value::Object(_)) => Ok(v),
        Some(other) => Err(Error::invalid_argument(format!(
            "`{field}` must be a JSON object, got {}",
            json_kind(&other)
        ))),
    }
}

/// The outcome of one evaluation. Deny is a value: `error` holds why evaluation failed.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    /// True only when the entrypoint evaluated to exactly `true`.
    pub allow: bool,
    /// The raw entrypoint value; absent when undefined or when evaluation failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// `abi.encode(allow)`: the 32-byte `TaskResponse.evaluationResult`, 0x-hex.
    pub evaluation_result: String,
    /// Why the decision is a deny; absent on allow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The evaluation error behind a deny, with its stable code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

impl Decision {
    fn new(allow: bool, result: Option<Value>, reason: Option<String>, error: Option<Error>) -> Self {
        let evaluation_result = alloy_primitives::hex::encode_prefixed(encode_evaluation_result(allow));
        Self { allow, result, evaluation_result, reason, error }
    }

    fn from_value(entrypoint: &str, value: regorus::Value) -> Self {
        if value == regorus::Value::Undefined {
            return Self::new(false, None, Some(format!("{entrypoint} is undefined")), None);
        }
        let result = match serde_json::to_value(&value) {
            Ok(result) => result,
            Err(e) => {
                let message = format!("{entrypoint} has a value JSON cannot represent: {e}");
                return Self::from_error(Error::new(ErrorCode::PolicyEval, message));
            }
        };
        match result {
            Value::Bool(true) => Self::new(true, Some(result), None, None),
            _ => {
                let reason = format!("{entrypoint} is {result}, not true");
                Self::new(false, Some(result), Some(reason), None)
            }
        }
    }

    fn from_error(error: Error) -> Self {
        Self::new(false, None, Some(error.message.clone()), Some(error))
    }
}

impl Policy {
    /// Evaluates one request. Errors are caller mistakes found before evaluation (schema
    /// violations); everything that happens during evaluation is a [`Decision`].
    pub fn evaluate(&self, request: &EvalRequest) -> Result<Decision> {
        if let Some(schema) = &self.params_schema {
            schema.validate(&request.params)?;
        }
        if let Some(failure) = &request.failure {
            return Ok(Decision::from_error(failure.clone()));
        }
        // The input path only sets input, so its engine can serve the next evaluation; one that
        // saw private data is dropped, so no plaintext waits in an idle engine.
        let context = &request.context;
        let private = request.privacy.is_some()
            || !context.identity.is_empty()
            || !context.confidential.is_empty()
            || context.sealed.is_some();
        let reusable = request.input.is_some() && !private;
        let mut engine = match reusable {
            true => self.engines.take(&self.engine),
            false => self.engine.clone(),
        };
        let rule = match &request.input {
            // Fast path: everything rides in one input document (see `context_rule`).
            Some(input) => {
                let entry = self.params_entry(&request.params);
                let (params, cached) = match &entry {
                    Some(entry) => (entry.params.clone(), entry.values.clone()),
                    None => (regorus::Value::from(request.params.clone()), None),
                };
                let mut carrier = BTreeMap::from([
                    ("input".into(), regorus::Value::from(input.clone())),
                    ("params".into(), params),
                    ("wasm".into(), regorus::Value::from(request.wasm.clone())),
                ]);
                if let Some(privacy) = &request.privacy {
                    carrier.insert("privacy".into(), regorus::Value::from(privacy.clone()));
                }
                let with_cached = cached.is_some();
                if let Some(values) = cached {
                    carrier.insert("cached".into(), values);
                }
                engine.set_input(regorus::Value::from(carrier));
                match (request.privacy.is_some(), with_cached) {
                    (false, false) => context_rule::RULE,
                    (true, false) => context_rule::RULE_WITH_PRIVACY,
                    (false, true) => context_rule::RULE_CACHED,
                    (true, true) => context_rule::RULE_CACHED_WITH_PRIVACY,
                }
            }
            // No input: `input` must stay undefined, so the data goes in as data.
            None => {
                let mut data = json!({"params": request.params, "wasm": request.wasm, "data": request.wasm});
                if let Some(privacy) = &request.privacy {
                    data["privacy"] = privacy.clone();
                }
                engine.add_data(regorus::Value::from(data)).map_err(|e| {
                    Error::new(ErrorCode::InvalidArgument, format!("evaluation data rejected: {e:#}"))
                })?;
                self.entrypoint.as_str()
            }
        };
        // A panic inside the interpreter is a bug, but it must still end as a deny, not a crash.
        let outcome = guard::guarded(&self.limits, || {
            with_context(&request.context, || engine.eval_rule(rule.to_string()))
        });
        // Only an engine whose evaluation ended with a value goes back: regorus restores its
        // `with` state on errors too, but a panic may have left it half-way.
        if reusable && matches!(outcome, Ok((Ok(_), None))) {
            self.engines.give_back(engine);
        }
        Ok(match outcome {
            // Sealed data that does not open denies with its own code, whatever the rule did.
            Ok((_, Some(failure))) => Decision::from_error(failure),
            Ok((Ok(value), None)) => Decision::from_value(&self.entrypoint, value),
            Ok((Err(e), None)) => Decision::from_error(diagnostics::eval_error(&e)),
            Err(panic) => Decision::from_error(panic),
        })
    }

    /// The cached params-only work for `params`; `None` when the cache is off.
    fn params_entry(&self, params: &Value) -> Option<Arc<ParamsEntry>> {
        let cache = self.params_cache.as_ref()?;
        let key = serde_json::to_string(params).ok()?;
        Some(cache.get_or_make(key, || {
            let params = regorus::Value::from(params.clone());
            let values = (!self.params_rules.is_empty()).then(|| self.params_values(&params)).flatten();
            ParamsEntry { params, values }
        }))
    }

    /// The params-only rules' values for `params`, or `None` when one is undefined or fails
    /// (evaluations then compute them in place, with the same outcome as without a cache).
    fn params_values(&self, params: &regorus::Value) -> Option<regorus::Value> {
        let mut engine = self.engine.clone();
        engine.set_input(regorus::Value::from(BTreeMap::from([("params".into(), params.clone())])));
        let context = EvalContext::default();
        let outcome = guard::guarded(&self.limits, || {
            with_context(&context, || engine.eval_rule(context_rule::PARAMS_VALUES.to_string()))
        });
        match outcome {
            Ok((Ok(values @ regorus::Value::Array(_)), None)) => Some(values),
            _ => None,
        }
    }

    /// Parses a request for this policy (see [`EvalRequest::from_json`]), within its
    /// `max_request_bytes`.
    pub fn request_from_json(&self, json: &str) -> Result<EvalRequest> {
        EvalRequest::from_json(json, self.limits.max_request_bytes)
    }

    /// JSON in, JSON out: the form that crosses the napi boundary.
    pub fn evaluate_json(&self, request_json: &str) -> Result<String> {
        self.evaluate_json_with(request_json, |_| Ok(()))
    }

    /// [`Policy::evaluate_json`], with `prepare` completing the parsed request first (the
    /// privacy layer attaches a task's private data this way).
    pub fn evaluate_json_with(
        &self,
        request_json: &str,
        prepare: impl FnOnce(&mut EvalRequest) -> Result<()>,
    ) -> Result<String> {
        let mut request = self.request_from_json(request_json)?;
        prepare(&mut request)?;
        let decision = self.evaluate(&request)?;
        serde_json::to_string(&decision).map_err(|e| Error::internal(format!("decision is not serializable: {e}")))
    }
}
