// `newton policy fmt`: Rego is formatted by `opa fmt`, never by newton. This finds an opa binary
// ($OPA_BIN, then PATH, then a checkout's bench/.tools/opa), runs `opa fmt` with the flags passed
// through and exits with its status; without one it is a usage error saying how to install OPA.
import { spawn } from 'node:child_process';
import { accessSync, constants as fs, statSync } from 'node:fs';
import { constants as os } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { NewtonError } from '../errors.js';
import { usage } from './exit.js';
import { formatOption, type Cli, type Format } from './output.js';

/** bench/install-opa.sh's install directory, seen from dist/cli in a checkout. */
const CHECKOUT_OPA = fileURLToPath(new URL('../../../bench/.tools/opa', import.meta.url));

const OPA_NAME = process.platform === 'win32' ? 'opa.exe' : 'opa';

const INSTALL_HELP = `Install OPA: download the opa binary for your platform from https://github.com/open-policy-agent/opa/releases,
make it executable and put it on PATH (or name it in OPA_BIN); in a checkout of this repository,
\`sh bench/install-opa.sh\` builds a pinned one into bench/.tools/opa (needs Go).`;
const INSTALL = INSTALL_HELP.replace(/\n/g, ' ');

const ABOUT = `Runs \`opa fmt\` on the paths, with --diff, --list, --write, --fail and --rego-v0
(opa's --v0-compatible) passed through, and exits with its status; opa's output is printed as is
(--format only changes how newton's own errors are reported). The opa binary is $OPA_BIN, else the
first opa on PATH, else bench/.tools/opa in a checkout. Without one it exits 2.
${INSTALL_HELP}`;

interface FmtFlags {
  diff?: boolean;
  list?: boolean;
  write?: boolean;
  fail?: boolean;
  regoV0?: boolean;
  format: Format;
}

export function addPolicyFmt(area: Command, cli: Cli): void {
  area
    .command('fmt')
    .description('format Rego files with `opa fmt` (needs an opa binary)')
    .argument('<paths...>', '.rego files or directories')
    .option('-d, --diff', 'print a diff of the changes instead of the formatted source')
    .option('-l, --list', 'list the files whose formatting differs')
    .option('-w, --write', 'rewrite the files in place')
    .option('--fail', 'exit non-zero when a file needs formatting')
    .option('--rego-v0', 'the files are Rego v0 (opa fmt --v0-compatible)')
    .addOption(formatOption('pretty'))
    .addHelpText('after', `\n${ABOUT}`)
    .action(async (paths: string[], opts: FmtFlags) => {
      const opa = findOpa();
      const flags = [
        opts.diff && '--diff',
        opts.list && '--list',
        opts.write && '--write',
        opts.fail && '--fail',
        opts.regoV0 && '--v0-compatible',
      ].filter((flag): flag is string => typeof flag === 'string');
      cli.exitCode = await runOpa(cli, opa, ['fmt', ...flags, '--', ...paths]);
    });
}

/** The opa binary to run: $OPA_BIN, the first on PATH, or a checkout's bench/.tools/opa. */
export function findOpa(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPA_BIN) {
    if (!executable(env.OPA_BIN)) throw usage(`OPA_BIN=${env.OPA_BIN} is not an executable file. ${INSTALL}`);
    return env.OPA_BIN;
  }
  const candidates = [...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, OPA_NAME)), CHECKOUT_OPA];
  const found = candidates.find(executable);
  if (found !== undefined) return found;
  throw usage(`newton policy fmt runs \`opa fmt\`, and no opa binary was found (OPA_BIN, PATH, bench/.tools/opa). ${INSTALL}`);
}

function executable(path: string): boolean {
  try {
    accessSync(path, fs.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Runs `opa ...args`, its output on the run's streams; resolves to its exit status. */
function runOpa(cli: Cli, opa: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(opa, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => cli.io.stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => cli.io.stderr.write(chunk));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot run ${opa}: ${err.code ?? err.message}` })),
    );
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? os.signals[signal] : 0)));
  });
}
