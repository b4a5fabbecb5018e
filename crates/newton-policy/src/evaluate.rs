//! Evaluation: the context a Newton operator builds, and the [`Decision`] it yields.

use crate::builtins::{parse_date, with_context, EvalContext};
use crate::params_cache::ParamsEntry;
use crate::regorus_value::to_regorus;
use crate::{diagnostics, guard, Params, Policy};
use newton_core::{json_kind, Error, ErrorCode, Result};
use newton_types::{evaluation_result::encode_evaluation_result, parse_intent, TaskIntent};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Everything one evaluation sees. Build it with [`EvalRequest::from_json`].
#[derive(Clone, Debug, Default)]
pub struct EvalRequest {
    /// Rego `input`: the parsed intent, a raw document, or undefined when neither is given.
    pub input: Option<Value>,
    /// `data.params`: the client's policy params.
    pub params: Params,
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
    params: Option<Box<RawValue>>,
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
            params: wire.params.map(Params::from_json).transpose()?.unwrap_or_default(),
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
            schema.validate(request.params.value()?)?;
        }
        if let Some(failure) = &request.failure {
            return Ok(Decision::from_error(failure.clone()));
        }
        let base = match &self.params_cache {
            Some(cache) => {
                cache.get_or_make(&request.params.key()?, || Ok(self.params_entry(request.params.value()?, true)))?
            }
            None => Arc::new(self.params_entry(request.params.value()?, false)),
        };
        let wasm = to_regorus(&request.wasm);
        let mut data = base.data.clone();
        set_path(&mut data, &["wasm"], wasm.clone())?;
        set_path(&mut data, &["data"], wasm)?;
        if let Some(privacy) = &request.privacy {
            set_path(&mut data, &["privacy"], to_regorus(privacy))?;
        }
        // An engine goes back to the pool after an evaluation that ended with a value; one that
        // saw private data is dropped, so no plaintext waits in an idle engine.
        let context = &request.context;
        let private = request.privacy.is_some()
            || !context.identity.is_empty()
            || !context.confidential.is_empty()
            || context.sealed.is_some();
        let mut engine = self.engines.take(&self.engine);
        engine.set_preset_rules(if base.preset { self.preset_rules.clone() } else { BTreeSet::new() });
        engine.set_eval_data(data).map_err(|e| Error::internal(format!("evaluation data rejected: {e:#}")))?;
        // Without an intent or input document, `input` stays undefined.
        engine.set_input(request.input.as_ref().map_or(regorus::Value::Undefined, to_regorus));
        // A panic inside the interpreter is a bug, but it must still end as a deny, not a crash.
        let outcome = guard::guarded(&self.limits, || {
            with_context(&request.context, || engine.eval_rule(self.entrypoint.clone()))
        });
        // regorus restores its `with` state on errors too, but a panic may have left it half-way.
        if !private && matches!(outcome, Ok((Ok(_), None))) {
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

    /// The data document's params-only part for `params`: static data and `params`, plus the
    /// params-only rules' values at their paths when `with_rules` and all of them have one.
    fn params_entry(&self, params: &Value, with_rules: bool) -> ParamsEntry {
        let mut data = self.static_data.clone();
        let params_set = set_path(&mut data, &["params"], to_regorus(params));
        let values = if with_rules && !self.params_rules.is_empty() && params_set.is_ok() {
            self.params_values(&data)
        } else {
            None
        };
        let Some(values) = values else { return ParamsEntry { data, preset: false } };
        let mut preset = data.clone();
        for (path, value) in self.params_rules.iter().zip(values) {
            let components: Vec<&str> = path.split('.').skip(1).collect();
            if set_path(&mut preset, &components, value).is_err() {
                return ParamsEntry { data, preset: false };
            }
        }
        ParamsEntry { data: preset, preset: true }
    }

    /// The params-only rules' values over `data` (no input, no oracle data), or `None` when one
    /// is undefined or fails (evaluations then compute them in place, with the same outcome as
    /// without a cache).
    fn params_values(&self, data: &regorus::Value) -> Option<Vec<regorus::Value>> {
        let mut engine = self.engine.clone();
        engine.set_eval_data(data.clone()).ok()?;
        let context = EvalContext::default();
        let outcome = guard::guarded(&self.limits, || {
            with_context(&context, || {
                let mut values = Vec::with_capacity(self.params_rules.len());
                for path in &self.params_rules {
                    match engine.eval_rule(path.clone()) {
                        Ok(regorus::Value::Undefined) | Err(_) => return None,
                        Ok(value) => values.push(value),
                    }
                }
                Some(values)
            })
        });
        match outcome {
            Ok((values, None)) => values,
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

/// Sets `value` at `path` in the object `doc`, creating objects on the way.
fn set_path(doc: &mut regorus::Value, path: &[&str], value: regorus::Value) -> Result<()> {
    let (last, parents) = path.split_last().ok_or_else(|| Error::internal("an empty data path"))?;
    let mut node = doc;
    for key in parents {
        let object = node.as_object_mut().map_err(|e| Error::internal(format!("data path {path:?}: {e}")))?;
        node = object.get_or_insert_with(regorus::Value::from(*key), regorus::Value::new_object);
    }
    let object = node.as_object_mut().map_err(|e| Error::internal(format!("data path {path:?}: {e}")))?;
    object.insert(regorus::Value::from(*last), value);
    Ok(())
}
