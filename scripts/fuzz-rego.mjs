// `npm run fuzz:rego -- --minutes N [--seed S]`: runs the Rego fuzzer
// (crates/newton-policy/examples/fuzz_rego.rs) for N minutes, restarting it with the next seed
// whenever the process dies or stays on one input longer than --hang-seconds (default 60). The
// input that killed or stalled it is kept in test/fixtures/fuzz-crashes/ (each one is a
// regression test in crates/newton-policy/tests/hostile.rs); findings the fuzzer reports itself (a
// caught panic, an input slower than its bound) are printed. Exits 1 when anything was found.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: {
  minutes: { type: 'string', default: '5' },
  seed: { type: 'string', default: '1' },
  'hang-seconds': { type: 'string', default: '60' },
} });
const hangMs = Number(values['hang-seconds']) * 1000;
const deadline = Date.now() + Number(values.minutes) * 60_000;

const build = spawnSync('cargo', ['build', '--release', '-p', 'newton-policy', '--example', 'fuzz_rego'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
const binary = path.join(targetDir, 'release/examples/fuzz_rego');

// Corpus: the example policies and the hostile-policy fixture.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-rego-'));
const corpus = fs.readdirSync(path.join(root, 'examples'), { recursive: true })
  .filter((f) => f.endsWith('.rego'))
  .map((f) => path.join(root, 'examples', f));
const hostile = JSON.parse(fs.readFileSync(path.join(root, 'test/fixtures/hostile-policies.json'), 'utf8'));
hostile.cases.forEach((c, i) => c.modules.forEach((m, j) => {
  const file = path.join(work, `hostile-${i}-${j}.rego`);
  fs.writeFileSync(file, m.source);
  corpus.push(file);
}));

const current = path.join(work, 'current.rego');
const crashDir = path.join(root, 'test/fixtures/fuzz-crashes');
const totals = { tried: 0, compiled: 0, findings: 0, crashes: 0, hangs: 0, runs: 0 };
let seed = Number(values.seed);

while (Date.now() < deadline) {
  const seconds = String(Math.max(1, Math.round((deadline - Date.now()) / 1000)));
  const args = ['--seconds', seconds, '--seed', String(seed), '--current', current, '--corpus', ...corpus];
  const { code, signal, last, hung } = await new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    // The fuzzer rewrites `current` before each input: an old file means it is stuck on one.
    let hung = false;
    const watchdog = setInterval(() => {
      const stalled = fs.existsSync(current) && Date.now() - fs.statSync(current).mtimeMs > hangMs;
      if (stalled && !hung) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 1000);
    let last = { tried: 0, compiled: 0, findings: 0 };
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^(?:progress|done) tried=(\d+) compiled=(\d+) findings=(\d+)/.exec(line);
        if (m) last = { tried: +m[1], compiled: +m[2], findings: +m[3] };
        else if (line.trim()) console.log(line);
      }
    });
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      resolve({ code, signal, last, hung });
    });
  });
  totals.runs += 1;
  totals.tried += last.tried;
  totals.compiled += last.compiled;
  totals.findings += last.findings;
  if (signal !== null || code !== 0) {
    const input = fs.readFileSync(current, 'utf8');
    const kind = hung ? 'hang' : 'crash';
    const name = `${kind}-${createHash('sha256').update(input).digest('hex').slice(0, 12)}.rego`;
    fs.mkdirSync(crashDir, { recursive: true });
    fs.writeFileSync(path.join(crashDir, name), input);
    totals[hung ? 'hangs' : 'crashes'] += 1;
    totals.tried += 1;
    const why = hung ? `no progress for ${values['hang-seconds']} s` : (signal ?? `exit ${code}`);
    console.log(`${kind.toUpperCase()} (${why}) with seed ${seed}: kept as test/fixtures/fuzz-crashes/${name}`);
  }
  seed += 1;
}

fs.rmSync(work, { recursive: true, force: true });
console.log(`fuzz:rego ${values.minutes} min: ${totals.tried} inputs tried (${totals.compiled} compiled), ` +
  `${totals.findings} findings, ${totals.crashes} crashes, ${totals.hangs} hangs, ${totals.runs} fuzzer run(s)`);
process.exit(totals.findings + totals.crashes + totals.hangs > 0 ? 1 : 0);
