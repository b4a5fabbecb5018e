//! `newton policy check`: parse, determinism check and full compile of a set of modules without
//! choosing an entrypoint — what a CI lint step runs before publishing a policy.

use crate::compile::{load, module_info, ModuleInfo};
use crate::{diagnostics, CompileOptions, PolicyModule};
use newton_core::{ErrorCode, Result};
use serde::Serialize;

/// What a module declares, with its Newton identifiers.
#[derive(Clone, Debug, Serialize)]
pub struct CheckedModule {
    #[serde(flatten)]
    pub info: ModuleInfo,
    pub package: String,
    pub rules: Vec<String>,
}

/// Checks `modules` together; fails with the first parse, determinism or compile error.
pub fn check(modules: &[PolicyModule], options: &CompileOptions) -> Result<Vec<CheckedModule>> {
    let (mut engine, parsed) = load(modules, options)?;
    let checked: Vec<CheckedModule> = parsed
        .iter()
        .zip(modules)
        .map(|(m, src)| CheckedModule {
            info: module_info(src),
            package: m.package(),
            rules: m.rule_names().into_iter().map(|(name, _)| name).collect(),
        })
        .collect();
    // Preparing any rule runs the analyzer over every module, surfacing compile errors.
    if let Some(rule) = checked.iter().find_map(|m| m.rules.first().map(|r| format!("data.{}.{r}", m.package))) {
        engine
            .compile_with_entrypoint(&rule.as_str().into())
            .map_err(|e| diagnostics::from_regorus(ErrorCode::PolicyCompile, &e))?;
    }
    Ok(checked)
}
