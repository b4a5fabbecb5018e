// `newton policy eval|test|check|hash|publish|bench|fmt`: the policy lifecycle from the command line.
// eval's options and their handling (addEvalOptions, prepareEvaluation) are bench's too.
import type { Command } from 'commander';
import { parseIntent, type TaskIntent } from '../intent.js';
import { policyCid, policyCodeHash } from '../identifiers.js';
import { TaskEvaluator, type Simulation } from '../operator.js';
import { checkPolicy, Policy, type Decision } from '../policy.js';
import { runPolicyTests, type TestReport, type TestResult } from '../testing.js';
import { EXIT, usage } from './exit.js';
import { findRego, readBytes, readJson, readModules, readText } from './files.js';
import { formatOption, type Cli, type Format } from './output.js';
import { addPrivateTaskOptions, privacyNode, wasmArgsText, type PrivateTaskFlags } from './private-task.js';
import { addPolicyBench } from './policy-bench.js';
import { addRunOptions, hostFromFlags, loadingModule, runOptions, type RunFlags } from './policy-data.js';
import { addPolicyFmt } from './policy-fmt.js';
import { addPolicyPublish } from './publish.js';

const STRICT_NOTE = `A builtin error (e.g. count(null)) is an evaluation error, so the decision denies with its message;
--non-strict gives OPA's semantics instead, where the failing expression is undefined.`;

export interface EvalFlags extends RunFlags, PrivateTaskFlags {
  policy?: string[];
  entrypoint: string;
  intent: string;
  params?: string;
  paramsSchema?: string;
  wasmData?: string;
  privacy?: string;
  identity?: string;
  confidential?: string;
  referenceDate?: string;
  regoV0?: boolean;
  nonStrict?: boolean;
  policyData?: string[];
  format: Format;
}

export function addPolicy(program: Command, cli: Cli): void {
  const area = program
    .command('policy')
    .description('evaluate, test, check, hash, publish, benchmark and format Rego policies: eval | test | check | hash | publish | bench | fmt');
  addEvalOptions(area.command('eval').description('evaluate an intent against a policy and print the decision (exit 0 for any decision)')).action(
    (files: string[], opts: EvalFlags) => evaluate(cli, [...(opts.policy ?? []), ...files], opts),
  );
  area
    .command('test')
    .description('run the test_* rules of .rego files (opa test style; exit 3 when a test fails or errors)')
    .argument('[paths...]', 'files and directories to search for .rego files', ['.'])
    .option('--run <REGEX>', 'only tests whose name matches')
    .option('--coverage', 'report line coverage')
    .option('--rego-v0', 'accept Rego v0 syntax')
    .option('--non-strict', "OPA's semantics for builtin errors")
    .addOption(formatOption('pretty'))
    .action(async (paths: string[], opts: { run?: string; coverage?: boolean; regoV0?: boolean; nonStrict?: boolean; format: Format }) => {
      const files = findRego(paths);
      if (files.length === 0) throw usage('no .rego files found');
      const report = await runPolicyTests(readModules(files), {
        run: opts.run,
        coverage: opts.coverage === true,
        compile: { regoV0: opts.regoV0 === true, strictBuiltinErrors: opts.nonStrict !== true },
      });
      cli.out(opts.format === 'json' ? JSON.stringify(report, null, 2) : prettyReport(report));
      if (report.failed + report.errored > 0) cli.exitCode = EXIT.negative;
    });
  area
    .command('check')
    .description('parse, check determinism and compile each module')
    .argument('<files...>', '.rego files or directories')
    .option('--rego-v0', 'accept Rego v0 syntax')
    .addOption(formatOption('pretty'))
    .action((files: string[], opts: { regoV0?: boolean; format: Format }) => {
      const checked = checkPolicy(readModules(findRego(files)), { regoV0: opts.regoV0 === true });
      if (opts.format === 'json') cli.out(JSON.stringify(checked, null, 2));
      else for (const m of checked) cli.out(`ok  ${m.path}  package ${m.package}  (${m.rules.length} rules)`);
    });
  area
    .command('hash')
    .description("print the policyCodeHash and policyCid of a file's exact bytes")
    .argument('<file>', 'the file to hash')
    .addOption(formatOption('pretty'))
    .action((file: string, opts: { format: Format }) => {
      const bytes = readBytes(file);
      const ids = { policyCodeHash: policyCodeHash(bytes), policyCid: policyCid(bytes) };
      cli.out(opts.format === 'json' ? JSON.stringify(ids, null, 2) : `policyCodeHash ${ids.policyCodeHash}\npolicyCid      ${ids.policyCid}`);
    });
  addPolicyPublish(area, cli);
  addPolicyBench(area, cli);
  addPolicyFmt(area, cli);
}

/** `policy eval`'s options (and `policy bench`'s): the policy, the intent and what the evaluation sees. */
export function addEvalOptions(command: Command): Command {
  return addRunOptions(
    addPrivateTaskOptions(
      command
        .argument('[files...]', 'more policy files, as --policy')
        .option('--policy <FILE...>', 'the Rego modules of the policy')
        .requiredOption('--entrypoint <PKG.RULE>', 'the rule to evaluate, e.g. spend_limit.allow')
        .requiredOption('--intent <FILE>', 'the wire TaskIntent (JSON)')
        .option('--params <FILE>', 'data.params (JSON)')
        .option('--params-schema <FILE>', 'JSON Schema the params must satisfy')
        .option('--wasm-data <FILE>', 'data.wasm (JSON), instead of running --policy-data')
        .option('--privacy <FILE>', 'data.privacy (JSON plaintext, for simulation)')
        .option('--identity <FILE>', 'identity data (JSON plaintext, for simulation)')
        .option('--confidential <FILE>', 'confidential data (JSON plaintext, for simulation)')
        .option('--reference-date <YYYY-MM-DD>', 'the date identity checks compare against')
        .option('--rego-v0', 'accept Rego v0 syntax')
        .option('--non-strict', "OPA's semantics for builtin errors (the expression is undefined)")
        .option('--policy-data <FILE.wasm...>', 'PolicyData components run on --wasm-args; their merged output is data.wasm'),
    ),
  )
    .addOption(formatOption('pretty'))
    .addHelpText('after', `\n${STRICT_NOTE}`);
}

/** An evaluation as the options describe it: the compiled policy, and the evaluator and simulation that decide. */
export interface PreparedEvaluation {
  policy: Policy;
  evaluator: TaskEvaluator;
  simulation: Simulation;
}

/** Reads and compiles what `opts` name, and loads their PolicyData components (a spinner on a terminal). */
export async function prepareEvaluation(cli: Cli, policies: string[], opts: EvalFlags): Promise<PreparedEvaluation> {
  if (policies.length === 0) throw usage('--policy FILE is required');
  if (opts.policyData && opts.wasmData !== undefined) throw usage('give either --wasm-data or --policy-data, not both');
  const optional = (path: string | undefined) => (path === undefined ? undefined : readJson<Record<string, never>>(path));
  const policy = await Policy.compile(readModules(policies), opts.entrypoint, {
    regoV0: opts.regoV0 === true,
    strictBuiltinErrors: opts.nonStrict !== true,
    paramsSchema: opts.paramsSchema === undefined ? undefined : readText(opts.paramsSchema),
  });
  const input = parseIntent(readJson<TaskIntent>(opts.intent));
  // What an operator would do for this task, nothing signed: run --policy-data on the
  // --wasm-args text (as given, so big numbers stay exact), attach private data, evaluate.
  const privacy = await privacyNode(opts, input.chain_id);
  const evaluator = new TaskEvaluator({ host: hostFromFlags(opts), privacy });
  const policyData = [];
  for (const file of opts.policyData ?? []) {
    const wasm_cid = await loadingModule(cli.io, file, (wasm) => evaluator.addPolicyData(wasm));
    policyData.push({ wasm_cid, run_options: runOptions(opts) });
  }
  const simulation = {
    input,
    params: optional(opts.params),
    wasm: optional(opts.wasmData),
    privacy: optional(opts.privacy),
    identity: optional(opts.identity),
    confidential: optional(opts.confidential),
    reference_date: opts.referenceDate,
    policy_data: policyData,
    wasm_args: wasmArgsText(opts),
    policy_client: privacy && opts.policyClient,
  };
  return { policy, evaluator, simulation };
}

async function evaluate(cli: Cli, policies: string[], opts: EvalFlags): Promise<void> {
  const { policy, evaluator, simulation } = await prepareEvaluation(cli, policies, opts);
  const { decision } = await evaluator.simulate(policy, simulation);
  if (opts.format === 'json') cli.out(JSON.stringify({ entrypoint: policy.entrypoint, ...decision, input: simulation.input }, null, 2));
  else cli.out(prettyDecision(policy.entrypoint, decision));
}

export function prettyDecision(entrypoint: string, d: Decision): string {
  const lines = [`${d.allow ? 'ALLOW' : 'DENY '}  ${entrypoint}`];
  if (d.result !== undefined) lines.push(`  result:            ${JSON.stringify(d.result)}`);
  if (d.reason) lines.push(`  reason:            ${d.reason}`);
  if (d.error) lines.push(`  error:             ${d.error.code}`);
  lines.push(`  evaluation_result: ${d.evaluation_result}`);
  return lines.join('\n');
}

function prettyReport(r: TestReport): string {
  const lines: string[] = [];
  let file = '';
  for (const t of r.results) {
    if (t.file !== file) lines.push(`${(file = t.file)}:`);
    lines.push(`${t.name}: ${t.outcome.toUpperCase()} (${formatDuration(t.duration_ns)})`);
    lines.push(...failureDetail(t));
  }
  const total = r.results.length;
  lines.push('-'.repeat(80));
  if (r.passed) lines.push(`PASS: ${r.passed}/${total}`);
  if (r.failed) lines.push(`FAIL: ${r.failed}/${total}`);
  if (r.errored) lines.push(`ERROR: ${r.errored}/${total}`);
  if (r.skipped) lines.push(`SKIPPED: ${r.skipped}/${total}`);
  if (total === 0) lines.push('no tests found (rules named test_*)');
  if (r.coverage) {
    lines.push(`Coverage: ${r.coverage.percent.toFixed(1)}%`);
    for (const f of r.coverage.files) {
      const missed = f.not_covered.length ? ` (not covered: lines ${f.not_covered.join(', ')})` : '';
      lines.push(`  ${f.path}: ${f.percent.toFixed(1)}%${missed}`);
    }
  }
  return lines.join('\n');
}

function failureDetail(t: TestResult): string[] {
  const detail: string[] = [];
  if (t.outcome === 'fail') detail.push(`  ${t.file}:${t.line}: evaluated to ${t.value === null ? 'undefined' : JSON.stringify(t.value)}, want true`);
  if (t.error) detail.push(`  ${t.error.code}: ${t.error.message}`);
  if (t.outcome !== 'pass') detail.push(...(t.prints ?? []).map((p) => `  print: ${p}`));
  return detail;
}

const formatDuration = (ns: number) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(1)}ms` : `${(ns / 1e3).toFixed(0)}µs`);
