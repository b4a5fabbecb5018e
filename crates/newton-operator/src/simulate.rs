//! A dry run: the evaluation an operator would make for a policy, on PolicyData run here on the
//! given `wasm_args` (or on data given outright), with nothing signed. The CLI's `policy eval`
//! and the gateway's `newt_simulate*` methods are this call.

use crate::prepare::run_modules;
use crate::TaskEvaluator;
use alloy_primitives::Address;
use newton_core::{Error, Result};
use newton_policy::{Decision, Policy};
use newton_policy_data::{merge_outputs, RunOptions};
use newton_privacy::strip_reserved;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What to simulate. JSON (snake_case, like the evaluation request it extends):
///
/// `{intent | input, params?, wasm?, privacy?, identity?, confidential?, reference_date?,
/// policy_data?: [{wasm_cid, run_options?}], wasm_args?, policy_client?}`
///
/// - `policy_data`: modules registered with [`TaskEvaluator::add_policy_data`], run concurrently
///   on `wasm_args` (reserved `_newton` stripped) and merged in order into `data.wasm`; not with
///   `wasm`.
/// - `wasm_args`: JSON text (kept byte for byte, so big numbers stay exact) or an object;
///   default `{}`.
/// - `policy_client`: whose task this is. Given, the evaluator's privacy node attaches the private
///   data as at commit: `wasm_args._newton.privacy` envelopes, identity and granted confidential
///   data. Absent, `privacy`/`identity`/`confidential` are plaintext given for the simulation.
/// Unknown keys land in `request`, whose own parser refuses them.
#[derive(Deserialize)]
struct SimulationJson {
    #[serde(default)]
    policy_data: Vec<SimulatedModuleJson>,
    wasm_args: Option<Value>,
    policy_client: Option<Address>,
    #[serde(flatten)]
    request: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SimulatedModuleJson {
    wasm_cid: String,
    run_options: Option<Value>,
}

/// The outcome of a simulation.
///
/// JSON: `{"decision": {…}, "input": {parsed intent} | null, "params": {…}, "wasm": {…},
/// "policy_data": [{"wasm_cid", "data", "http_recorded"?}]}`.
#[derive(Clone, Debug, Serialize)]
pub struct Simulated {
    pub decision: Decision,
    /// Rego `input`: the parsed intent (or the raw input given).
    pub input: Option<Value>,
    /// `data.params`.
    pub params: Value,
    /// `data.wasm`: the merged PolicyData output (or the data given).
    pub wasm: Value,
    /// Each module's output, in order.
    pub policy_data: Vec<SimulatedOutput>,
}

/// One module's output in a simulation.
#[derive(Clone, Debug, Serialize)]
pub struct SimulatedOutput {
    pub wasm_cid: String,
    pub data: Map<String, Value>,
    /// Record mode: the HTTP fixtures including this run's exchanges (JSON text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_recorded: Option<String>,
}

impl Simulated {
    /// The JSON form.
    pub fn to_json(&self) -> String {
        // Values that came from JSON and a decision: always serializes.
        serde_json::to_string(self).expect("a simulation result serializes")
    }
}

impl TaskEvaluator {
    /// Runs a simulation (JSON above) of `policy`: nothing is signed and no client deployment is
    /// needed. Request errors are `InvalidArgument`/`InvalidJson`; a module failure keeps its
    /// code (message prefixed with its `wasm_cid`); evaluation outcomes are the decision.
    pub fn simulate(&self, policy: &Policy, simulation_json: &str) -> Result<Simulated> {
        let sim: SimulationJson = Error::parse_json("simulation", simulation_json)?;
        if !sim.policy_data.is_empty() && sim.request.get("wasm").is_some_and(|w| !w.is_null()) {
            return Err(Error::invalid_argument("give either `wasm` or `policy_data`, not both"));
        }
        let args_text = match &sim.wasm_args {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(Value::String(text)) => text.clone(),
            Some(other @ Value::Object(_)) => other.to_string(),
            Some(_) => return Err(Error::invalid_argument("`wasm_args` must be a JSON object or its JSON text")),
        };
        let args: Value = Error::parse_json("wasm_args", &args_text)?;
        let module_input = match args.get(newton_privacy::RESERVED_KEY) {
            Some(_) => strip_reserved(&args).to_string(),
            None => args_text,
        };
        let request_json = Value::Object(sim.request).to_string();
        let mut request = policy.request_from_json(&request_json)?;

        let policy_data = self.run_simulated(&sim.policy_data, &module_input)?;
        if !policy_data.is_empty() {
            let outputs: Vec<_> = policy_data.iter().map(|o| o.data.clone()).collect();
            request.wasm = Value::Object(merge_outputs(&outputs));
        }
        if let Some(client) = sim.policy_client {
            let node = self.privacy.as_ref().ok_or_else(|| {
                Error::invalid_argument("a private simulation (`policy_client`) needs a privacy node on this evaluator")
            })?;
            node.attach(&mut request, client, Some(&args))?;
        }
        let decision = policy.evaluate(&request)?;
        let params = request.params.value()?.clone();
        Ok(Simulated { decision, input: request.input, params, wasm: request.wasm, policy_data })
    }

    fn run_simulated(&self, modules: &[SimulatedModuleJson], input: &str) -> Result<Vec<SimulatedOutput>> {
        let mut runs = Vec::with_capacity(modules.len());
        for m in modules {
            let module = self.modules.get(&m.wasm_cid).ok_or_else(|| {
                Error::invalid_argument(format!("PolicyData module {} is not registered with this evaluator", m.wasm_cid))
            })?;
            let options = m.run_options.as_ref().map_or_else(String::new, Value::to_string);
            runs.push((module, input, RunOptions::from_json(&options)?));
        }
        modules
            .iter()
            .zip(run_modules(runs))
            .map(|(m, run)| {
                let run = run.map_err(|e| Error { message: format!("PolicyData {}: {}", m.wasm_cid, e.message), ..e })?;
                let http_recorded = run.http_recorded.as_ref().map(|f| f.to_json());
                Ok(SimulatedOutput { wasm_cid: m.wasm_cid.clone(), data: run.value, http_recorded })
            })
            .collect()
    }
}
