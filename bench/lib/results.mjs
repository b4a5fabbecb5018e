// A suite's results as data: bench/results/<suite>.json holds one run's rows and ratios with the
// machine, versions and commit they came from. bench/readme.mjs renders bench/README.md's tables
// and charts from these files; `npm run bench -- --json` prints them for machines.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

const git = (...args) => {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};

/** The installed version of an npm package (null when absent). */
export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')).version;
  } catch {
    return null;
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    mhz: cpus[0]?.speed ?? null,
    cores: cpus.length,
    ram_gib: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    loadavg_1m: Number(os.loadavg()[0].toFixed(2)),
  };
}

/**
 * Writes bench/results/<suite>.json and returns its path.
 * - rows: objects whose first key names the row; the other keys are its measurements
 *   (numbers, or null when a peer was skipped) and notes (strings).
 * - ratios: `{ratio, value (number|null), target, verdict: PASS|MISS|info|SKIP}`.
 * - chart: `{title, value: <row key>, unit}`, a bar per row that has that measurement.
 * - versions: peer name → version string, beside node's and rustc's.
 */
export function writeResults(suite, { rows, ratios = [], chart = null, versions = {}, notes = [] }) {
  const status = git('status', '--porcelain', '--untracked-files=no');
  const result = {
    suite,
    date: new Date().toISOString(),
    commit: git('rev-parse', 'HEAD'),
    dirty: status === null ? null : status.length > 0,
    machine: machine(),
    versions: { node: process.version, rustc: rustc(), ...versions },
    rows,
    ratios: ratios.map((r) => ({ ...r, value: typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : null })),
    chart,
    notes,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${suite}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results: ${file.slice(root.length)}`);
  return file;
}

function rustc() {
  try {
    return execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim().replace(/^rustc /, '');
  } catch {
    return null;
  }
}
