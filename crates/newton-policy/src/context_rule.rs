//! Per-evaluation data without re-preparing the engine. regorus re-analyzes every module when
//! data changes (`add_data`), which costs more than many evaluations. Instead, each policy gets a
//! generated module whose rules evaluate the entrypoint `with` the request's documents, all
//! carried in one `input`; setting input keeps the prepared engine.
//!
//! The `cached` variants also replace the params-only rules (`params_rules`) with values the
//! carrier brings (`input.cached[i]`), computed once per params by `params_values`.

/// The generated package; user modules may not declare it.
pub const PACKAGE: &str = "newton_internal_eval__";
/// Rule for requests without ephemeral privacy data (`data.privacy` stays undefined).
pub const RULE: &str = "data.newton_internal_eval__.result";
/// Rule for requests with `data.privacy`.
pub const RULE_WITH_PRIVACY: &str = "data.newton_internal_eval__.result_with_privacy";
/// [`RULE`] with the params-only rules taken from `input.cached`.
pub const RULE_CACHED: &str = "data.newton_internal_eval__.result_cached";
/// [`RULE_WITH_PRIVACY`] with the params-only rules taken from `input.cached`.
pub const RULE_CACHED_WITH_PRIVACY: &str = "data.newton_internal_eval__.result_cached_with_privacy";
/// The params-only rules' values as an array, for `input.params`; undefined when one is.
pub const PARAMS_VALUES: &str = "data.newton_internal_eval__.params_values";

/// The module for `entrypoint` (`data.pkg.rule`) and the params-only rules `cached`, in Rego v1
/// whatever the policy uses. `with` values are evaluated against the carrier input before any
/// replacement applies, so the order of the clauses does not matter.
pub fn module(entrypoint: &str, cached: &[String]) -> String {
    let with = "with input as input.input with data.params as input.params \
                with data.wasm as input.wasm with data.data as input.wasm";
    let privacy = "with data.privacy as input.privacy";
    let mut module = format!(
        "package {PACKAGE}\n\nimport rego.v1\n\n\
         result := x if {{\n\tx := {entrypoint} {with}\n}}\n\n\
         result_with_privacy := x if {{\n\tx := {entrypoint} {with} {privacy}\n}}\n"
    );
    if cached.is_empty() {
        return module;
    }
    let replace: String = cached.iter().enumerate().map(|(i, path)| format!(" with {path} as input.cached[{i}]")).collect();
    let values: Vec<String> = (0..cached.len()).map(|i| format!("v{i}")).collect();
    let compute: String =
        cached.iter().enumerate().map(|(i, path)| format!("\tv{i} := {path} with data.params as input.params\n")).collect();
    module.push_str(&format!(
        "\nresult_cached := x if {{\n\tx := {entrypoint} {with}{replace}\n}}\n\n\
         result_cached_with_privacy := x if {{\n\tx := {entrypoint} {with} {privacy}{replace}\n}}\n\n\
         params_values := [{}] if {{\n{compute}}}\n",
        values.join(", ")
    ));
    module
}
