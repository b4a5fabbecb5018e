// Non-TS peers: the raw Rust crates (cargo examples) and OPA (`opa bench`).
// Each returns `{ skipped }` with a reason instead of throwing, so a missing peer never fails the run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lastLine = (text) => text.trim().split('\n').at(-1).trim();

/** crates/newton-policy/examples/bench_policy.rs: `{compile_ns, evaluate_ns, evaluate_p50_ns, …}`. */
export function runCrate(fixtureDir, iterations, warmup) {
  const args = ['run', '--release', '-q', '-p', 'newton-policy', '--example', 'bench_policy', '--'];
  const run = spawnSync('cargo', [...args, fixtureDir, String(iterations), String(warmup)], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) return { skipped: `cargo failed: ${run.error?.message ?? lastLine(run.stderr)}` };
  return JSON.parse(lastLine(run.stdout));
}

/** crates/newton-bls/examples/bench_bls.rs: `{sign_ns, verify_ns, aggregate_ns: {n}, …}`, `ms` per row. */
export function runBlsCrate(ms) {
  const args = ['run', '--release', '-q', '-p', 'newton-bls', '--example', 'bench_bls', '--', String(ms)];
  const run = spawnSync('cargo', args, { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) return { skipped: `cargo failed: ${run.error?.message ?? lastLine(run.stderr)}` };
  return JSON.parse(lastLine(run.stdout));
}

/** `bench/.tools/opa` (see install-opa.sh), else `opa` on PATH, else undefined. */
export function findOpa() {
  const local = join(root, 'bench/.tools/opa');
  if (existsSync(local)) return local;
  return spawnSync('opa', ['version']).status === 0 ? 'opa' : undefined;
}

/**
 * `opa eval` once (the decision) and `opa bench` (PrepareForEval once, then only Eval is timed)
 * on the same module, with `input` and `data` written to a temp dir.
 * Returns `{ version, allow, evaluate_ns }`, evaluate_ns being ΣT/ΣN over `count` Go benchmark runs.
 */
export function runOpa(opa, { source, query, input, data, count }) {
  if (!opa) return { skipped: 'opa not found: run `sh bench/install-opa.sh` (needs Go) or put opa on PATH' };
  const dir = mkdtempSync(join(tmpdir(), 'newton-bench-opa-'));
  try {
    const files = { 'policy.rego': source, 'input.json': JSON.stringify(input), 'data.json': JSON.stringify(data) };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const common = ['--format', 'json', '-d', 'policy.rego', '-d', 'data.json', '-i', 'input.json'];
    const opaRun = (args) => spawnSync(opa, args, { cwd: dir, encoding: 'utf8' });

    const evaluated = opaRun(['eval', ...common, query]);
    if (evaluated.status !== 0) return { skipped: `opa eval failed: ${lastLine(evaluated.stderr)}` };
    const allow = JSON.parse(evaluated.stdout).result?.[0]?.expressions?.[0]?.value;

    const benchFlags = ['--count', String(count), '--benchmem=false', '--metrics=false'];
    const benched = opaRun(['bench', ...common, ...benchFlags, query]);
    if (benched.status !== 0) return { skipped: `opa bench failed: ${lastLine(benched.stderr)}` };
    // --count > 1 prints one JSON object per run; each has N (ops) and T (total ns).
    const runs = [...benched.stdout.matchAll(/"N":\s*(\d+),\s*"T":\s*(\d+)/g)].map(([, n, t]) => [+n, +t]);
    const [ops, ns] = runs.reduce(([n, t], [dn, dt]) => [n + dn, t + dt], [0, 0]);

    const version = opaRun(['version']).stdout.match(/^Version: (.+)$/m)?.[1];
    return { version, allow, evaluate_ns: ns / ops };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
