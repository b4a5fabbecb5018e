//! Compile once: Rego modules + an entrypoint become a [`Policy`] that is `Send + Sync` and is
//! evaluated many times, from many threads, without recompiling.

use crate::engine_pool::SharedEnginePool;
use crate::params_cache::ParamsCache;
use crate::{ast, builtins, determinism, diagnostics, nesting, params_rules, recursion, Limits, ParamsSchema};
use newton_core::{Error, ErrorCode, Result};
use newton_types::{cid::cid_v1_raw, hash::policy_code_hash};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One Rego source file.
#[derive(Clone, Debug)]
pub struct PolicyModule {
    pub path: String,
    pub source: String,
}

/// Options for [`Policy::compile`]; `Default` is Rego v1, strict builtin errors, no params
/// schema, default limits.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// Accept Rego v0 syntax (rules without `if`/`contains`). Off by default.
    pub rego_v0: bool,
    /// Schema that `data.params` must satisfy before evaluation.
    pub params_schema: Option<ParamsSchema>,
    /// Static base data compiled into the policy (lookup tables and the like), visible under
    /// `data` beside the per-evaluation `params`/`wasm`/`privacy`, which it must not define.
    pub data: Option<serde_json::Value>,
    /// A builtin error (e.g. `count(null)`, `to_number("x")`) is an evaluation error, so the
    /// decision denies with the builtin's message. On by default, as in Newton's engine; off is
    /// OPA's non-strict semantics, where the failing expression is undefined — which lets
    /// `not count(data.wasm.t) > 3` allow on a `null` oracle value.
    pub strict_builtin_errors: bool,
    pub limits: Limits,
}

impl Default for CompileOptions {
    fn default() -> Self {
        Self {
            rego_v0: false,
            params_schema: None,
            data: None,
            strict_builtin_errors: true,
            limits: Limits::default(),
        }
    }
}

/// Identifiers of one module as Newton publishes them.
#[derive(Clone, Debug, Serialize)]
pub struct ModuleInfo {
    pub path: String,
    /// `policyCodeHash`: keccak256 of the raw Rego bytes.
    #[serde(rename = "policyCodeHash")]
    pub code_hash: String,
    /// `policyCid`: CIDv1, raw codec, sha2-256, base32.
    #[serde(rename = "policyCid")]
    pub cid: String,
}

/// A compiled policy. Cheap to share (`Arc`) and evaluate concurrently.
#[derive(Clone, Debug)]
pub struct Policy {
    pub(crate) engine: regorus::Engine,
    pub(crate) entrypoint: String,
    pub(crate) params_schema: Option<ParamsSchema>,
    pub(crate) limits: Limits,
    /// Params-only rules whose values `params_cache` holds per params (`params_rules`).
    pub(crate) params_rules: Vec<String>,
    /// The same paths, handed to regorus as rules not to evaluate when a request's data holds
    /// their values.
    pub(crate) preset_rules: BTreeSet<String>,
    /// The static data every evaluation's data document starts from.
    pub(crate) static_data: regorus::Value,
    /// Shared by clones; `None` when `limits.params_cache_entries` is 0.
    pub(crate) params_cache: Option<Arc<ParamsCache>>,
    /// Engines that finished an evaluation, reused instead of cloning `engine`.
    pub(crate) engines: SharedEnginePool,
    modules: Vec<ModuleInfo>,
}

impl Policy {
    /// Parses, checks and prepares `modules` for evaluating `entrypoint` (`pkg.rule`, evaluated
    /// as `data.pkg.rule`; a leading `data.` is accepted).
    pub fn compile(modules: &[PolicyModule], entrypoint: &str, options: CompileOptions) -> Result<Self> {
        let (mut engine, _) = load(modules, &options)?;
        let entrypoint = normalize_entrypoint(entrypoint)?;
        engine.compile_with_entrypoint(&entrypoint.as_str().into()).map_err(|e| {
            let err = diagnostics::from_regorus(ErrorCode::PolicyCompile, &e);
            match err.message.contains("not a valid rule path") {
                true => Error::new(
                    ErrorCode::PolicyEntrypoint,
                    format!("entrypoint {entrypoint} names no rule in the policy"),
                ),
                false => err,
            }
        })?;
        let params_rules = match options.limits.params_cache_entries {
            0 => Vec::new(),
            _ => params_rules::params_only(engine.get_modules(), &entrypoint),
        };
        engine.set_execution_timer_config(options.limits.execution_timer());
        // `load` refused packages under these, so no rule can live there.
        engine.set_data_only_roots(PER_EVALUATION.iter().map(|root| root.to_string()).collect());
        Ok(Self {
            static_data: engine.get_data(),
            engine,
            entrypoint,
            params_schema: options.params_schema,
            limits: options.limits,
            preset_rules: params_rules.iter().cloned().collect(),
            params_rules,
            params_cache: (options.limits.params_cache_entries > 0)
                .then(|| Arc::new(ParamsCache::new(options.limits.params_cache_entries))),
            engines: SharedEnginePool::default(),
            modules: modules.iter().map(module_info).collect(),
        })
    }

    /// The entrypoint as evaluated, e.g. `data.newton_quickstart.allow`.
    pub fn entrypoint(&self) -> &str {
        &self.entrypoint
    }

    /// The rules whose values are computed once per params and reused (they read only
    /// `data.params` and iterate over it), e.g. `data.pkg.blocked`; empty when
    /// `limits.params_cache_entries` is 0.
    pub fn params_rules(&self) -> &[String] {
        &self.params_rules
    }

    /// `policyCodeHash` and `policyCid` of every module, in the order given.
    pub fn modules(&self) -> &[ModuleInfo] {
        &self.modules
    }
}

/// The top-level data documents each evaluation sets (`data.data` is the legacy alias of
/// `data.wasm`).
pub(crate) const PER_EVALUATION: [&str; 4] = ["params", "wasm", "data", "privacy"];

/// Loads modules into a fresh engine with the Newton builtins, after limit, nesting, recursion
/// and determinism checks, returning the engine and its parsed modules. Shared by
/// [`Policy::compile`], `check` and the test runner.
pub(crate) fn load(modules: &[PolicyModule], options: &CompileOptions) -> Result<(regorus::Engine, Vec<ast::ModuleAst>)> {
    let limits = &options.limits;
    if modules.is_empty() {
        return Err(Error::invalid_argument("a policy needs at least one Rego module"));
    }
    if modules.len() > limits.max_modules {
        return Err(Error::new(
            ErrorCode::LimitSize,
            format!("{} modules exceed the limit of {}", modules.len(), limits.max_modules),
        ));
    }
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(options.rego_v0);
    engine.set_strict_builtin_errors(options.strict_builtin_errors);
    if let Some(data) = &options.data {
        add_static_data(&mut engine, data)?;
    }
    builtins::register(&mut engine, options.strict_builtin_errors)
        .map_err(|e| Error::internal(format!("registering Newton builtins failed: {e:#}")))?;
    let mut seen = std::collections::HashSet::new();
    for m in modules {
        if m.source.len() > limits.max_module_bytes {
            return Err(Error::new(
                ErrorCode::LimitSize,
                format!("{}: {} bytes exceed the module limit of {}", m.path, m.source.len(), limits.max_module_bytes),
            ));
        }
        if !seen.insert(m.path.as_str()) {
            return Err(Error::invalid_argument(format!("module path {} is given twice", m.path)));
        }
        nesting::check(&m.path, &m.source, limits.max_nesting)?;
        engine
            .add_policy(m.path.clone(), m.source.clone())
            .map_err(|e| diagnostics::from_regorus(ErrorCode::PolicyParse, &e))?;
    }
    recursion::check(engine.get_modules())?;
    let parsed = ast::modules(&mut engine);
    // Each evaluation sets these documents; a package there would put rules under them.
    for m in &parsed {
        let package = m.package();
        let root = package.split('.').next().unwrap_or_default().trim();
        if PER_EVALUATION.contains(&root) {
            return Err(Error::new(
                ErrorCode::PolicyCompile,
                format!("{}: package {package} is under data.{root}, which each evaluation sets", m.file()),
            ));
        }
    }
    determinism::check(&parsed)?;
    Ok((engine, parsed))
}

fn add_static_data(engine: &mut regorus::Engine, data: &serde_json::Value) -> Result<()> {
    let Some(map) = data.as_object() else {
        return Err(Error::invalid_argument("static data must be a JSON object"));
    };
    if let Some(key) = PER_EVALUATION.into_iter().find(|k| map.contains_key(*k)) {
        return Err(Error::invalid_argument(format!(
            "static data must not define `data.{key}`: it is set per evaluation"
        )));
    }
    engine
        .add_data(regorus::Value::from(data.clone()))
        .map_err(|e| Error::invalid_argument(format!("static data rejected: {e:#}")))
}

/// `pkg.rule` or `data.pkg.rule` → `data.pkg.rule`; anything else is an entrypoint error.
fn normalize_entrypoint(entrypoint: &str) -> Result<String> {
    let path = entrypoint.trim();
    let path = path.strip_prefix("data.").unwrap_or(path);
    let is_ident = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let parts: Vec<&str> = path.split('.').collect();
    if parts.len() < 2 || !parts.iter().all(|p| is_ident(p)) {
        return Err(Error::new(
            ErrorCode::PolicyEntrypoint,
            format!("entrypoint {entrypoint:?} must look like `package.rule` (e.g. newton_quickstart.allow)"),
        ));
    }
    Ok(format!("data.{path}"))
}

pub(crate) fn module_info(m: &PolicyModule) -> ModuleInfo {
    ModuleInfo {
        path: m.path.clone(),
        code_hash: policy_code_hash(m.source.as_bytes()).to_string(),
        cid: cid_v1_raw(m.source.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entrypoints_normalize() {
        assert_eq!(normalize_entrypoint("a.allow").ok().as_deref(), Some("data.a.allow"));
        assert_eq!(normalize_entrypoint("data.a.b.allow").ok().as_deref(), Some("data.a.b.allow"));
        for bad in ["allow", "a..b", "a.1b", "", "data.", "a.b c"] {
            assert_eq!(normalize_entrypoint(bad).expect_err(bad).code, ErrorCode::PolicyEntrypoint);
        }
    }
}
