//! The prepare round: every PolicyData module of the task's policy, run concurrently on the
//! task's `wasm_args` without the reserved `_newton` key.

use crate::task_args::TaskArgs;
use crate::{PolicyDataOutput, PreparedData, TaskEvaluator};
use newton_core::{Error, Result};
use newton_policy_data::{PolicyDataModule, RunOptions, RunResult};
use newton_types::sol;

impl TaskEvaluator {
    /// Runs the PolicyData modules of `task.policyClient`'s policy, one thread each, and returns
    /// their unsigned outputs in the policy's order, each with its canonical-JSON digest.
    ///
    /// Errors: a client without a policy → `InvalidArgument`; `wasmArgs` that are not UTF-8 JSON
    /// → `InvalidJson`; the first module failure keeps its code, its message prefixed with the
    /// PolicyData address.
    pub fn prepare(&self, task: &sol::Task) -> Result<PreparedData> {
        let client = self.client(task.policyClient)?;
        let args = TaskArgs::of(task)?;
        let sources = &client.deployment.policy_data;
        let runs = sources
            .iter()
            .map(|s| Ok((self.module(&s.wasm_cid)?, args.module_input.as_str(), s.run_options.clone())))
            .collect::<Result<Vec<_>>>()?;
        let mut policy_data = Vec::with_capacity(sources.len());
        for (source, run) in sources.iter().zip(run_modules(runs)) {
            let run = run.map_err(|e| Error { message: format!("PolicyData {}: {}", source.address, e.message), ..e })?;
            policy_data.push(PolicyDataOutput::new(source.address, run.value)?);
        }
        Ok(PreparedData { task_id: task.taskId, policy_data })
    }
}

/// Runs each `(module, input, options)` on its own thread; results in the same order.
pub(crate) fn run_modules(runs: Vec<(&PolicyDataModule, &str, RunOptions)>) -> Vec<Result<RunResult>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|(module, input, options)| scope.spawn(move || module.run(input, options)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| Err(Error::from_panic("PolicyData run", &*panic))))
            .collect()
    })
}
