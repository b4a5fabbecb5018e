// `newton policy eval|test|check|hash`: the policy lifecycle from the command line.
import { parseIntent, type TaskIntent } from '../intent.js';
import { policyCid, policyCodeHash } from '../identifiers.js';
import { checkPolicy, Policy, type Decision } from '../policy.js';
import { runPolicyTests, type TestReport, type TestResult } from '../testing.js';
import { format, list, parseArgs, required, str, usage, type Parsed } from './args.js';
import { findRego, readBytes, readJson, readModules, readText } from './files.js';
import { PRIVATE_TASK_FLAGS, PRIVATE_TASK_HELP, privateTask } from './private-task.js';
import { RUN_FLAGS, jsonArg, policyDataWasm } from './policy-data.js';

type Out = (line: string) => void;

export const POLICY_HELP = `Usage: newton policy <command>

  eval   --policy FILE... --entrypoint PKG.RULE --intent FILE [--params FILE] [--params-schema FILE]
         [--wasm-data FILE] [--privacy FILE] [--identity FILE] [--confidential FILE]
         [--reference-date YYYY-MM-DD] [--rego-v0] [--non-strict] [--format json|pretty]
         [--policy-data FILE.wasm... [--secrets FILE] [--http-fixtures FILE] [--allow-host HOST...] [--fuel N]]
${PRIVATE_TASK_HELP}
  test   [PATH...] [--run REGEX] [--coverage] [--non-strict] [--format pretty|json]
  check  FILE... [--rego-v0]
  hash   FILE [--format pretty|json]

A builtin error (e.g. count(null)) is an evaluation error, so the decision denies with its message;
--non-strict gives OPA's semantics instead, where the failing expression is undefined.

Exit codes: 0 ok (any decision), 1 error, 2 test failures.`;

export async function policyCommand(argv: string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'eval':
      return evalCommand(rest, out);
    case 'test':
      return testCommand(rest, out);
    case 'check':
      return checkCommand(rest, out);
    case 'hash':
      return hashCommand(rest, out);
    case undefined:
    case 'help':
    case '--help':
      out(POLICY_HELP);
      return 0;
    default:
      throw usage(`unknown command "policy ${command}"\n\n${POLICY_HELP}`);
  }
}

async function evalCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, {
    policy: { multiple: true },
    entrypoint: {},
    intent: {},
    params: {},
    'params-schema': {},
    'wasm-data': {},
    privacy: {},
    identity: {},
    confidential: {},
    'reference-date': {},
    'rego-v0': { boolean: true },
    'non-strict': { boolean: true },
    format: {},
    ...PRIVATE_TASK_FLAGS,
    'policy-data': { multiple: true },
    ...RUN_FLAGS,
  });
  const policies = [...list(args, 'policy'), ...args.positionals];
  if (policies.length === 0) throw usage('--policy FILE is required');
  const fmt = format(args, ['json', 'pretty'], 'pretty');
  const optional = (name: string) => {
    const path = str(args, name);
    return path === undefined ? undefined : readJson<Record<string, never>>(path);
  };
  const schemaPath = str(args, 'params-schema');
  const policy = await Policy.compile(readModules(policies), required(args, 'entrypoint'), {
    regoV0: args.flags['rego-v0'] === true,
    strictBuiltinErrors: args.flags['non-strict'] !== true,
    paramsSchema: schemaPath === undefined ? undefined : readText(schemaPath),
  });
  const intent = readJson<TaskIntent>(required(args, 'intent'));
  const input = parseIntent(intent);
  const decision = await policy.evaluate({
    input,
    params: optional('params'),
    wasm: await wasmData(args, optional('wasm-data')),
    privacy: optional('privacy'),
    identity: optional('identity'),
    confidential: optional('confidential'),
    reference_date: str(args, 'reference-date'),
  }, { privacy: await privateTask(args, input.chain_id) });
  if (fmt === 'json') out(JSON.stringify({ entrypoint: policy.entrypoint, ...decision, input }, null, 2));
  else out(prettyDecision(policy.entrypoint, decision));
  return 0;
}

/** `data.wasm`: --wasm-data as given, or the --policy-data modules run on --wasm-args and merged. */
async function wasmData(args: Parsed, given: Record<string, never> | undefined) {
  const modules = list(args, 'policy-data');
  if (modules.length === 0) return given;
  if (given !== undefined) throw usage('give either --wasm-data or --policy-data, not both');
  return policyDataWasm(args, modules, jsonArg(args, 'wasm-args') ?? '{}'); // the text as given: big numbers stay exact
}

function prettyDecision(entrypoint: string, d: Decision): string {
  const lines = [`${d.allow ? 'ALLOW' : 'DENY '}  ${entrypoint}`];
  if (d.result !== undefined) lines.push(`  result:            ${JSON.stringify(d.result)}`);
  if (d.reason) lines.push(`  reason:            ${d.reason}`);
  if (d.error) lines.push(`  error:             ${d.error.code}`);
  lines.push(`  evaluation_result: ${d.evaluation_result}`);
  return lines.join('\n');
}

async function testCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, {
    run: {},
    coverage: { boolean: true },
    format: {},
    'rego-v0': { boolean: true },
    'non-strict': { boolean: true },
  });
  const fmt = format(args, ['json', 'pretty'], 'pretty');
  const files = findRego(args.positionals.length > 0 ? args.positionals : ['.']);
  if (files.length === 0) throw usage('no .rego files found');
  const report = await runPolicyTests(readModules(files), {
    run: str(args, 'run'),
    coverage: args.flags.coverage === true,
    compile: { regoV0: args.flags['rego-v0'] === true, strictBuiltinErrors: args.flags['non-strict'] !== true },
  });
  out(fmt === 'json' ? JSON.stringify(report, null, 2) : prettyReport(report));
  return report.failed + report.errored > 0 ? 2 : 0;
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

async function checkCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { 'rego-v0': { boolean: true }, format: {} });
  const fmt = format(args, ['json', 'pretty'], 'pretty');
  if (args.positionals.length === 0) throw usage('newton policy check FILE...');
  const checked = checkPolicy(readModules(findRego(args.positionals)), { regoV0: args.flags['rego-v0'] === true });
  if (fmt === 'json') out(JSON.stringify(checked, null, 2));
  else for (const m of checked) out(`ok  ${m.path}  package ${m.package}  (${m.rules.length} rules)`);
  return 0;
}

async function hashCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { format: {} });
  const fmt = format(args, ['json', 'pretty'], 'pretty');
  const [file, ...extra] = args.positionals;
  if (file === undefined || extra.length > 0) throw usage('newton policy hash FILE');
  const bytes = readBytes(file);
  const ids = { policyCodeHash: policyCodeHash(bytes), policyCid: policyCid(bytes) };
  out(fmt === 'json' ? JSON.stringify(ids, null, 2) : `policyCodeHash ${ids.policyCodeHash}\npolicyCid      ${ids.policyCid}`);
  return 0;
}
