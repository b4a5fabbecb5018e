// `npm test`'s first step: the servers its suites talk to must be installed — nats-server (which
// test/operator-nats.test.ts starts on loopback) and the PostgreSQL server binaries (initdb and
// postgres: the gateway suites also run on PostgreSQL, each file on its own throwaway server, run
// as the postgres user when root) and Debian's chromium (test/ui-page.test.ts drives it with
// playwright-core; no browser download). As root with apt-get (CI, a fresh container) a missing one is
// installed; anywhere else the run stops with the install command, never a skipped suite.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { POSTGRES_INSTALL, postgresBinDir } from '../server/dist/store/postgres-server.js';
import { COMPONENTIZE_PY_VERSION, componentizePyVersion, pythonInstallCommand, pythonVenv } from '../bindings/dist/policy-data-build-py.js';
import { RUST_INSTALL_COMMAND, RUST_TARGET } from '../bindings/dist/policy-data-build-rs.js';

const root = process.getuid?.() === 0;
const runs = (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).error === undefined;
const nats = process.env.NATS_SERVER_BIN ?? 'nats-server';
const postgresUser = () => fs.readFileSync('/etc/passwd', 'utf8').split('\n').some((line) => line.startsWith('postgres:'));

const SERVICES = [
  { name: nats, found: () => runs(nats), apt: 'nats-server', install: `\`apt-get install nats-server\` (Debian/Ubuntu) or \`go install github.com/nats-io/nats-server/v2@latest\`` },
  // Python oracles (test/policy-data-languages.test.ts) need python3 with venv for componentize-py.
  { name: 'python3 with venv', found: () => spawnSync('python3', ['-c', 'import ensurepip, venv'], { stdio: 'ignore' }).status === 0, apt: 'python3-venv', install: '`apt-get install python3 python3-venv`' },
  {
    name: 'the PostgreSQL server (initdb, postgres)',
    // As root it runs as the postgres user, which the Debian package creates.
    found: () => postgresBinDir() !== null && (!root || postgresUser()),
    apt: 'postgresql',
    install: root && postgresBinDir() ? 'PostgreSQL will not run as root: `useradd --system postgres`' : POSTGRES_INSTALL,
  },
  { name: 'chromium', found: () => fs.existsSync('/usr/bin/chromium'), apt: 'chromium', install: '`apt-get install -y chromium` (Debian; the test drives /usr/bin/chromium)' },
];

const canApt = root && runs('apt-get');
let updated = false;

for (const { name, found, apt, install } of SERVICES) {
  if (found()) continue;
  if (canApt) {
    console.error(`test-services: ${name} is missing; installing the Debian package ${apt}`);
    const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    updated ||= spawnSync('apt-get', ['update', '-qq'], quiet).status === 0;
    if (updated && spawnSync('apt-get', ['install', '-y', '-qq', apt], quiet).status === 0 && found()) continue;
  }
  console.error(`test-services: ${name} is required by the test suites and is not installed: ${install}`);
  process.exit(1);
}

// Project-local toolchains for the Python and Rust PolicyData oracles, set up by anyone (no root):
// componentize-py pinned in its virtual environment, and rustup's wasm target.
const venv = pythonVenv();
if (componentizePyVersion(venv) !== COMPONENTIZE_PY_VERSION) {
  console.error(`test-services: installing componentize-py ${COMPONENTIZE_PY_VERSION} into ${venv}`);
  const command = pythonInstallCommand(venv);
  if (spawnSync('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0 || componentizePyVersion(venv) !== COMPONENTIZE_PY_VERSION) {
    console.error(`test-services: componentize-py is required by the Python oracle tests and could not be installed: ${command}`);
    process.exit(1);
  }
}
const rustTargets = spawnSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8' });
if (!rustTargets.stdout?.split('\n').includes(RUST_TARGET) && spawnSync('rustup', ['target', 'add', RUST_TARGET], { stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) {
  console.error(`test-services: the Rust target ${RUST_TARGET} is required by the Rust oracle tests and could not be installed: \`${RUST_INSTALL_COMMAND}\``);
  process.exit(1);
}
