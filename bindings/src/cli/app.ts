// `newton`, the command-line app: run() parses argv with commander, runs the command and returns
// the exit code. It never touches the process; bin/newton.js does (as fastify's app and server).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, type Option } from 'commander';
import { addAttestation } from './attestation.js';
import { addConfidential } from './confidential.js';
import { addDevnet } from './devnet.js';
import { EXIT, reportError, usage } from './exit.js';
import { addGateway } from './gateway.js';
import { addIdentity } from './identity.js';
import { addKeys } from './keys.js';
import { addLog } from './log.js';
import { addOperator } from './operator.js';
import { Cli, type Io } from './output.js';
import { addPolicy } from './policy.js';
import { addPolicyClient } from './policy-client.js';
import { addPolicyData } from './policy-data.js';
import { addPrivacy } from './privacy.js';
import { addTask } from './task.js';

export type { Io, Output } from './output.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Runs `newton ...argv`, writing to `io`; resolves to the exit code (it never rejects). */
export async function run(argv: string[], io: Io): Promise<number> {
  const cli = new Cli(io);
  const json = requestedFormat(argv) === 'json';
  const program = newton(cli, json);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return cli.exitCode;
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) return EXIT.ok; // --help, --version
    if (err instanceof CommanderError && err.code === 'commander.help') return reportError(missingCommand(program, argv), io, json);
    return reportError(err, io, json);
  }
}

function newton(cli: Cli, json: boolean): Command {
  const program = new Command('newton')
    .usage('<area> <command> [options]')
    .description('Newton-compatible policy engine: policies, PolicyData, keys, attestations and private data; a gateway and its clients.')
    .version(version)
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => cli.io.stdout.write(text),
      // Only help shown for a missing command comes here; a JSON error stays the only thing on stderr.
      writeErr: (text) => {
        if (!json) cli.io.stderr.write(text);
      },
      outputError: () => {}, // reportError prints it
      getOutHelpWidth: () => cli.io.stdout.columns ?? 80,
      getErrHelpWidth: () => cli.io.stderr.columns ?? 80,
    })
    .addHelpText('after', '\nRun `newton <area> --help` or `newton <area> <command> --help` for details.');
  const areas = [addPolicy, addPolicyData, addKeys, addAttestation, addPrivacy, addIdentity, addConfidential, addPolicyClient, addTask, addGateway, addOperator, addDevnet, addLog];
  for (const add of areas) add(program, cli);
  checkRequiredOptionsLast(program);
  return program;
}

/**
 * commander checks required options before unknown ones, so `--entrypont X` would report a missing
 * --entrypoint instead of suggesting it; check them just before the action instead.
 */
function checkRequiredOptionsLast(program: Command): void {
  const required = new Set<Option>();
  const visit = (command: Command) => {
    for (const option of command.options.filter((o) => o.mandatory)) {
      option.makeOptionMandatory(false);
      required.add(option);
    }
    command.commands.forEach(visit);
  };
  visit(program);
  program.hook('preAction', (_, command) => {
    const missing = command.options.find((o) => required.has(o) && command.getOptionValue(o.attributeName()) === undefined);
    if (missing) throw usage(`required option '${missing.flags}' not specified`);
  });
}

/** The value of the last `--format`, so that even a usage error can be reported as JSON. */
function requestedFormat(argv: string[]): string | undefined {
  let format: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '--format') format = argv[i + 1];
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
  });
  return format;
}

/** The usage error of an area given without a command (commander has just printed its help). */
function missingCommand(program: Command, argv: string[]) {
  let command = program;
  const path = [program.name()];
  for (const arg of argv) {
    const sub = command.commands.find((c) => c.name() === arg);
    if (sub) path.push((command = sub).name());
  }
  return usage(`${path.join(' ')} needs a command: ${command.commands.map((c) => c.name()).join(', ')}`);
}
