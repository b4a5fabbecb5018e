// `newton policy-data run|validate|build`: run a PolicyData component the way an operator does,
// check its output against a JSON Schema, or build one from JavaScript (policy-data-build.ts).
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NewtonError } from '../errors.js';
import {
  PolicyDataHost,
  mergePolicyDataOutputs,
  validatePolicyDataOutput,
  type PolicyDataHostOptions,
  type RunOptions,
} from '../policy-data.js';
import { format, list, parseArgs, required, str, usage, type FlagSpec, type Parsed } from './args.js';
import { readBytes, readText } from './files.js';
import { policyDataBuildCommand } from './policy-data-build.js';

type Out = (line: string) => void;

/** Flags shared by `policy-data run|validate` and `policy eval --policy-data`. */
export const RUN_FLAGS: Record<string, FlagSpec> = {
  secrets: {},
  'http-fixtures': {},
  'allow-host': { multiple: true },
  fuel: {},
  'timeout-ms': {},
  'cache-dir': {},
};

const RUN_FLAGS_HELP = `         [--secrets FILE] [--http-fixtures FILE [--record]] [--allow-host HOST...]
         [--fuel N] [--timeout-ms N] [--cache-dir DIR]`;

export const POLICY_DATA_HELP = `Usage: newton policy-data <command>

  run       --wasm FILE [--args JSON|@FILE] [--format pretty|json]
${RUN_FLAGS_HELP}
  validate  --wasm FILE --schema FILE [--args JSON|@FILE]
${RUN_FLAGS_HELP}
  build     SRC.js --out FILE.wasm [--wit 0.2.0|0.1.0|FILE]   (newton policy-data build --help)

run prints the module's output (a JSON object). --args is the task's wasm_args ({} by default).
--http-fixtures FILE replays recorded http.fetch exchanges offline; with --record the calls go
out live (through the SSRF guard) and are written to FILE. Private addresses (loopback, 10/8,
169.254/16, ...) are refused unless --allow-host admits them (HOST or HOST:PORT).
validate runs the module and checks its output against a JSON Schema: {"valid":true}, or the
violations and exit 1. Compiled modules are cached in --cache-dir (default
$NEWTON_CACHE_DIR or ~/.cache/newton/policy-data), so only a module's first run compiles it.`;

export async function policyDataCommand(argv: string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest, out);
    case 'validate':
      return validateCommand(rest, out);
    case 'build':
      return policyDataBuildCommand(rest, out);
    case undefined:
    case 'help':
    case '--help':
      out(POLICY_DATA_HELP);
      return 0;
    default:
      throw usage(`unknown command "policy-data ${command}"\n\n${POLICY_DATA_HELP}`);
  }
}

/** `--flag JSON` or `--flag @FILE`. */
export function jsonArg(args: Parsed, name: string): string | undefined {
  const value = str(args, name);
  return value?.startsWith('@') ? readText(value.slice(1)) : value;
}

function positiveInt(args: Parsed, name: string): number | undefined {
  const value = str(args, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw usage(`--${name} must be a positive integer`);
  return n;
}

/** A host from the run flags (allow list, fuel, wall clock). */
export function hostFromArgs(args: Parsed): PolicyDataHost {
  const options: PolicyDataHostOptions = {
    allowHosts: list(args, 'allow-host'),
    fuel: positiveInt(args, 'fuel'),
    timeoutMs: positiveInt(args, 'timeout-ms'),
    cacheDir: str(args, 'cache-dir') ?? process.env.NEWTON_CACHE_DIR ?? join(homedir(), '.cache', 'newton', 'policy-data'),
  };
  return new PolicyDataHost(options);
}

/** Run options from the flags: secrets file, fixtures to replay (or record into, with --record). */
export function runOptionsFromArgs(args: Parsed): RunOptions {
  const secrets = str(args, 'secrets');
  const fixtures = str(args, 'http-fixtures');
  const record = args.flags.record === true;
  if (record && fixtures === undefined) throw usage('--record needs --http-fixtures FILE to write');
  return {
    secrets: secrets === undefined ? undefined : readText(secrets),
    httpMode: record ? 'record' : fixtures === undefined ? 'live' : 'replay',
    httpFixtures: fixtures === undefined || record ? undefined : readText(fixtures),
  };
}

/** Runs one component file with the run flags; writes recorded fixtures when recording. */
async function runFile(args: Parsed, host: PolicyDataHost, wasm: string, wasmArgs: string): Promise<string> {
  const module = await host.load(readBytes(wasm));
  const result = await module.run(wasmArgs, runOptionsFromArgs(args));
  if (result.httpRecorded !== undefined) writeFileSync(required(args, 'http-fixtures'), `${result.httpRecorded}\n`);
  return result.output;
}

/** `data.wasm` for `policy eval --policy-data`: each module run on the same wasm_args, merged in order. */
export async function policyDataWasm(args: Parsed, files: string[], wasmArgs: string): Promise<Record<string, unknown>> {
  const host = hostFromArgs(args);
  const outputs: string[] = [];
  for (const file of files) outputs.push(await runFile(args, host, file, wasmArgs));
  return mergePolicyDataOutputs(outputs);
}

async function runCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { wasm: {}, args: {}, format: {}, record: { boolean: true }, ...RUN_FLAGS });
  const fmt = format(args, ['json', 'pretty'], 'pretty');
  const output = await runFile(args, hostFromArgs(args), required(args, 'wasm'), jsonArg(args, 'args') ?? '{}');
  out(fmt === 'json' ? output : JSON.stringify(JSON.parse(output), null, 2));
  return 0;
}

async function validateCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { wasm: {}, schema: {}, args: {}, record: { boolean: true }, ...RUN_FLAGS });
  const schema = readText(required(args, 'schema'));
  const output = await runFile(args, hostFromArgs(args), required(args, 'wasm'), jsonArg(args, 'args') ?? '{}');
  try {
    validatePolicyDataOutput(schema, output);
  } catch (err) {
    if (err instanceof NewtonError && err.code === 'NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION') {
      out(JSON.stringify({ valid: false, violations: err.details?.violations ?? [] }, null, 2));
    }
    throw err;
  }
  out(JSON.stringify({ valid: true }));
  return 0;
}
