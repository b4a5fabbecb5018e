// Output helpers shared by bench suites.
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Prints the machine the numbers came from: results from different machines do not compare. */
export function printMachine() {
  const cpus = os.cpus();
  const mhz = cpus[0]?.speed ? ` @ ${cpus[0].speed} MHz` : '';
  const cpu = `${cpus[0]?.model ?? 'unknown CPU'}${mhz} × ${cpus.length} cores`;
  const ram = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`;
  console.log(`machine: ${cpu}, ${ram}, ${os.type()} ${os.release()} ${os.arch()}`);
  console.log(`node ${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
}

/** Warns when Rust sources are newer than the native addon: TS rows would measure old code. */
export function warnIfAddonStale() {
  const addon = statSync(join(root, 'bindings/newton.linux-x64-gnu.node'), { throwIfNoEntry: false });
  const newest = (dir) =>
    readdirSync(dir, { recursive: true })
      .map((file) => statSync(join(dir, file)).mtimeMs)
      .reduce((a, b) => Math.max(a, b), 0);
  const dirs = ['bindings/napi/src', ...readdirSync(join(root, 'crates')).map((c) => `crates/${c}/src`)];
  const sources = Math.max(...dirs.map((dir) => newest(join(root, dir))));
  if (addon && sources > addon.mtimeMs) {
    console.warn('WARNING: Rust sources changed after the addon was built; TS rows measure the old build.');
    console.warn('         Rebuild: npm run build:native --workspace bindings && npx tsc -b');
  }
}

/** Nanoseconds → microseconds text; `—` when there is no number. */
export const us = (ns) => (Number.isFinite(ns) ? (ns / 1000).toFixed(2) : '—');

/** Nanoseconds → microseconds as a number for results JSON (2 decimals); null when there is no number. */
export const micros = (ns) => (Number.isFinite(ns) ? Number((ns / 1000).toFixed(2)) : null);

/** A ratio row `a / b`; `meets` tests the target (PASS/MISS), without one the row is informational. */
export function ratio(name, a, b, target = '', meets = undefined) {
  const value = a / b;
  if (!Number.isFinite(value)) return { ratio: name, value: null, target, verdict: 'SKIP' };
  const verdict = meets ? (meets(value) ? 'PASS' : 'MISS') : 'info';
  return { ratio: name, value, target, verdict };
}

/** `1.23×`, or `—` when a peer was skipped. */
export const times = (value) => (value === null ? '—' : `${value >= 0.1 ? value.toFixed(2) : value.toPrecision(2)}×`);

/** Prints ratio rows as a table, values as `1.23×`. */
export function printRatios(ratios) {
  console.table(ratios.map((r) => ({ ...r, value: times(r.value) })));
}
