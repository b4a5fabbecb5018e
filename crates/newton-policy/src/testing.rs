//! Policy unit tests, as `opa test` runs them: every rule named `test_*` is evaluated and passes
//! when it is exactly `true`; `todo_*` rules are reported as skipped. Tests set their inputs with
//! `with input as …` / `with data.params as …`.

use crate::compile::load;
use crate::{ast, diagnostics, guard, CompileOptions, Limits, PolicyModule};
use newton_core::{Error, ErrorCode, Result};
use serde::Serialize;
use serde_json::Value;
use std::time::Instant;

/// How to run a test suite.
#[derive(Clone, Debug, Default)]
pub struct TestOptions {
    /// Only tests whose full name (`data.pkg.test_x`) matches this regex.
    pub run: Option<String>,
    /// Collect line coverage.
    pub coverage: bool,
    pub compile: CompileOptions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Error,
    Skip,
}

/// One test's result; on failure it shows what the rule evaluated to and what it printed.
#[derive(Clone, Debug, Serialize)]
pub struct TestResult {
    pub name: String,
    pub package: String,
    pub file: String,
    pub line: u64,
    pub outcome: Outcome,
    /// The rule's value when it was not `true` (`null` stands for undefined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prints: Vec<String>,
    pub duration_ns: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct FileCoverage {
    pub path: String,
    pub covered: Vec<u32>,
    pub not_covered: Vec<u32>,
    pub percent: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub files: Vec<FileCoverage>,
    pub percent: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct TestReport {
    pub results: Vec<TestResult>,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

impl TestReport {
    /// True when no test failed or errored.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.errored == 0
    }
}

/// Discovers and runs the tests in `modules` (policies and their `*_test.rego` files together).
pub fn run_tests(modules: &[PolicyModule], options: &TestOptions) -> Result<TestReport> {
    let filter = options
        .run
        .as_deref()
        .map(|r| regex::Regex::new(r).map_err(|e| Error::invalid_argument(format!("--run {r:?} is not a regex: {e}"))))
        .transpose()?;
    let (mut engine, parsed) = load(modules, &options.compile)?;
    let mut tests: Vec<(String, String, ast::Location)> = Vec::new();
    for module in parsed {
        let package = module.package();
        for (rule, loc) in module.rule_names() {
            let full = format!("data.{package}.{rule}");
            let is_test = rule.starts_with("test_") || rule.starts_with("todo_");
            if is_test && filter.as_ref().is_none_or(|f| f.is_match(&full)) && !tests.iter().any(|(n, ..)| *n == full) {
                tests.push((full, package.to_string(), loc));
            }
        }
    }
    engine.set_enable_coverage(options.coverage);
    engine.set_gather_prints(true);
    let limits = &options.compile.limits;
    engine.set_execution_timer_config(limits.execution_timer());
    let results: Vec<TestResult> = tests
        .into_iter()
        .map(|(name, package, loc)| run_one(&mut engine, limits, name, package, loc))
        .collect();
    let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
    Ok(TestReport {
        passed: count(Outcome::Pass),
        failed: count(Outcome::Fail),
        errored: count(Outcome::Error),
        skipped: count(Outcome::Skip),
        coverage: options.coverage.then(|| coverage(&engine)).transpose()?,
        results,
    })
}

fn run_one(
    engine: &mut regorus::Engine,
    limits: &Limits,
    name: String,
    package: String,
    loc: ast::Location,
) -> TestResult {
    let started = Instant::now();
    let skip = name.rsplit('.').next().is_some_and(|r| r.starts_with("todo_"));
    let (outcome, value, error) = match skip {
        true => (Outcome::Skip, None, None),
        false => match guard::guarded(limits, || engine.eval_rule(name.clone())) {
            Ok(Ok(regorus::Value::Bool(true))) => (Outcome::Pass, None, None),
            Ok(Ok(regorus::Value::Undefined)) => (Outcome::Fail, Some(Value::Null), None),
            Ok(Ok(v)) => (Outcome::Fail, Some(serde_json::to_value(&v).unwrap_or(Value::Null)), None),
            Ok(Err(e)) => (Outcome::Error, None, Some(diagnostics::eval_error(&e))),
            Err(panic) => (Outcome::Error, None, Some(panic)),
        },
    };
    TestResult {
        name,
        package,
        file: loc.file,
        line: loc.line,
        outcome,
        value,
        error,
        prints: engine.take_prints().unwrap_or_default(),
        duration_ns: u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX),
    }
}

fn coverage(engine: &regorus::Engine) -> Result<Coverage> {
    let report = engine
        .get_coverage_report()
        .map_err(|e| Error::new(ErrorCode::Internal, format!("coverage report failed: {e:#}")))?;
    let percent = |c: usize, n: usize| if c + n == 0 { 100.0 } else { 100.0 * c as f64 / (c + n) as f64 };
    let files: Vec<FileCoverage> = report
        .files
        .into_iter()
        .map(|f| FileCoverage {
            percent: percent(f.covered.len(), f.not_covered.len()),
            path: f.path,
            covered: f.covered.into_iter().collect(),
            not_covered: f.not_covered.into_iter().collect(),
        })
        .collect();
    let (c, n) = files.iter().fold((0, 0), |(c, n), f| (c + f.covered.len(), n + f.not_covered.len()));
    Ok(Coverage { files, percent: percent(c, n) })
}
