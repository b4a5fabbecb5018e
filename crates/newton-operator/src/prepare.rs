//! The prepare round: every PolicyData module of the task's policy, run concurrently on the
//! task's `wasm_args` without the reserved `_newton` key.

use crate::task_args::TaskArgs;
use crate::{PolicyDataOutput, PreparedData, TaskEvaluator};
use newton_core::{Error, Result};
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
        let modules = sources.iter().map(|s| self.module(&s.wasm_cid)).collect::<Result<Vec<_>>>()?;
        let runs: Vec<Result<_>> = std::thread::scope(|scope| {
            let handles: Vec<_> = sources
                .iter()
                .zip(modules)
                .map(|(source, module)| {
                    let input = args.module_input.as_str();
                    scope.spawn(move || module.run(input, source.run_options.clone()))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| Err(Error::from_panic("PolicyData run", &*panic))))
                .collect()
        });
        let mut policy_data = Vec::with_capacity(sources.len());
        for (source, run) in sources.iter().zip(runs) {
            let run = run.map_err(|e| Error { message: format!("PolicyData {}: {}", source.address, e.message), ..e })?;
            policy_data.push(PolicyDataOutput::new(source.address, run.value)?);
        }
        Ok(PreparedData { task_id: task.taskId, policy_data })
    }
}
