// `newton policy-data run|validate|build|publish`: run a PolicyData component the way an operator
// does, check its output against a JSON Schema, build one from JavaScript (policy-data-build.ts) or
// publish one to a gateway (publish.ts). Loading a component (its first compile takes seconds)
// shows a spinner on a terminal (spinner.ts).
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { Option, type Command } from 'commander';
import { NewtonError } from '../errors.js';
import { PolicyDataHost, validatePolicyDataOutput, type RunOptions } from '../policy-data.js';
import { positiveInt, usage } from './exit.js';
import { readBytes, readText } from './files.js';
import { formatOption, type Cli, type Format, type Io } from './output.js';
import { addPolicyDataBuild } from './policy-data-build.js';
import { addPolicyDataPublish } from './publish.js';
import { size, withSpinner } from './spinner.js';

/** The options shared by `policy-data run|validate` and `policy eval --policy-data`. */
export interface RunFlags {
  secrets?: string;
  httpFixtures?: string;
  record?: boolean;
  allowHost?: string[];
  fuel?: number;
  timeoutMs?: number;
  cacheDir?: string;
}

export function addRunOptions(command: Command): Command {
  return command
    .option('--secrets <FILE>', "the policy client's secrets (JSON) for secrets.get")
    .option('--http-fixtures <FILE>', 'replay recorded http.fetch exchanges offline (with --record: write them)')
    .option('--allow-host <HOST...>', 'admit a private address (HOST or HOST:PORT) to http.fetch')
    .option('--fuel <N>', 'fuel budget per run (default 100000000)', positiveInt)
    .option('--timeout-ms <N>', 'wall clock per run (default 5000)', positiveInt)
    .addOption(
      new Option('--cache-dir <DIR>', 'where compiled modules are cached (default ~/.cache/newton/policy-data)').env('NEWTON_CACHE_DIR'),
    );
}

export function addPolicyData(program: Command, cli: Cli): void {
  const area = program.command('policy-data').description('run, validate, build and publish PolicyData components: run | validate | build | publish');
  addRunOptions(
    area
      .command('run')
      .description("run a component on the task's wasm_args and print its output (a JSON object)")
      .requiredOption('--wasm <FILE>', 'the component')
      .option('--args <JSON|@FILE>', "the task's wasm_args", '{}')
      .option('--record', 'fetch live (through the SSRF guard) and write the exchanges to --http-fixtures'),
  )
    .addOption(formatOption('pretty'))
    .action(async (opts: RunFlags & { wasm: string; args: string; format: Format }) => {
      const output = await runFile(cli.io, opts, hostFromFlags(opts), opts.wasm, jsonArg(opts.args));
      cli.out(opts.format === 'json' ? output : JSON.stringify(JSON.parse(output), null, 2));
    });
  addRunOptions(
    area
      .command('validate')
      .description("run a component and check its output against a JSON Schema (exit 1 with the violations)")
      .requiredOption('--wasm <FILE>', 'the component')
      .requiredOption('--schema <FILE>', 'JSON Schema of the output')
      .option('--args <JSON|@FILE>', "the task's wasm_args", '{}')
      .option('--record', 'fetch live and write the exchanges to --http-fixtures'),
  )
    .addOption(formatOption('json'))
    .action(async (opts: RunFlags & { wasm: string; schema: string; args: string; format: Format }) => {
      const schema = readText(opts.schema);
      const output = await runFile(cli.io, opts, hostFromFlags(opts), opts.wasm, jsonArg(opts.args));
      try {
        validatePolicyDataOutput(schema, output);
      } catch (err) {
        if (err instanceof NewtonError && err.code === 'NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION') {
          printValidation(cli, opts.format, (err.details?.violations as Violation[] | undefined) ?? []);
        }
        throw err;
      }
      printValidation(cli, opts.format, []);
    });
  addPolicyDataBuild(area, cli);
  addPolicyDataPublish(area, cli);
}

interface Violation {
  path: string;
  message: string;
}

function printValidation(cli: Cli, format: Format, violations: Violation[]): void {
  const valid = violations.length === 0;
  if (format === 'json') cli.out(valid ? JSON.stringify({ valid }) : JSON.stringify({ valid, violations }, null, 2));
  else cli.out(valid ? 'valid' : ['invalid', ...violations.map((v) => `  ${v.path || '/'}: ${v.message}`)].join('\n'));
}

/** `JSON` as given, or the text of `@FILE`. */
export function jsonArg(value: string): string {
  return value.startsWith('@') ? readText(value.slice(1)) : value;
}

export function hostFromFlags(flags: RunFlags): PolicyDataHost {
  return new PolicyDataHost({
    allowHosts: flags.allowHost ?? [],
    fuel: flags.fuel,
    timeoutMs: flags.timeoutMs,
    cacheDir: flags.cacheDir ?? join(homedir(), '.cache', 'newton', 'policy-data'),
  });
}

/** Secrets, and fixtures to replay (or, with --record, to write). */
export function runOptions(flags: RunFlags): RunOptions {
  const { secrets, httpFixtures: fixtures, record } = flags;
  if (record && fixtures === undefined) throw usage('--record needs --http-fixtures FILE to write');
  return {
    secrets: secrets === undefined ? undefined : readText(secrets),
    httpMode: record ? 'record' : fixtures === undefined ? 'live' : 'replay',
    httpFixtures: fixtures === undefined || record ? undefined : readText(fixtures),
  };
}

/**
 * Reads a component file and hands it to `load` (which checks and compiles it, or finds it in the
 * cache); on a terminal under a spinner ending in how long that took.
 */
export function loadingModule<T>(io: Io, file: string, load: (wasm: Uint8Array) => Promise<T>): Promise<T> {
  const wasm = readBytes(file);
  const what = `${basename(file)} (${size(wasm.byteLength)})`;
  return withSpinner(io.stderr, `loading ${what}: compiled on first use, then cached`, () => load(wasm), () => `loaded ${what}`);
}

/** Runs one component file; writes the recorded fixtures when recording. */
async function runFile(io: Io, flags: RunFlags, host: PolicyDataHost, wasm: string, wasmArgs: string): Promise<string> {
  const module = await loadingModule(io, wasm, (bytes) => host.load(bytes));
  const result = await module.run(wasmArgs, runOptions(flags));
  if (result.http_recorded !== undefined) writeFileSync(flags.httpFixtures as string, `${result.http_recorded}\n`);
  return result.output;
}
