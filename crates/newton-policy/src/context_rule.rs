//! Per-evaluation data without re-preparing the engine. regorus re-analyzes every module when
//! data changes (`add_data`), which costs more than many evaluations. Instead, each policy gets a
//! generated module whose rules evaluate the entrypoint `with` the request's documents, all
//! carried in one `input`; setting input keeps the prepared engine.

/// The generated package; user modules may not declare it.
pub const PACKAGE: &str = "newton_internal_eval__";
/// Rule for requests without ephemeral privacy data (`data.privacy` stays undefined).
pub const RULE: &str = "data.newton_internal_eval__.result";
/// Rule for requests with `data.privacy`.
pub const RULE_WITH_PRIVACY: &str = "data.newton_internal_eval__.result_with_privacy";

/// The module for `entrypoint` (`data.pkg.rule`), in Rego v1 whatever the policy uses. `with` values are evaluated against the
/// carrier input before any replacement applies, so the order of the clauses does not matter.
pub fn module(entrypoint: &str) -> String {
    let with = "with input as input.input with data.params as input.params \
                with data.wasm as input.wasm with data.data as input.wasm";
    format!(
        "package {PACKAGE}\n\nimport rego.v1\n\n\
         result := x if {{\n\tx := {entrypoint} {with}\n}}\n\n\
         result_with_privacy := x if {{\n\tx := {entrypoint} {with} with data.privacy as input.privacy\n}}\n"
    )
}
