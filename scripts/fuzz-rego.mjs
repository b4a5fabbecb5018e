// `npm run fuzz:rego -- --minutes N [--seed S]`: runs the Rego fuzzer
// (crates/newton-policy/examples/fuzz_rego.rs) for N minutes, restarting it with the next seed
// whenever the process dies. The input that killed it is kept in test/fixtures/fuzz-crashes/ (make
// each one a regression test); findings the fuzzer reports itself (a caught panic, an input slower
// than its bound) are printed. Exits 1 when anything was found.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '5' }, seed: { type: 'string', default: '1' } } });
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
const totals = { tried: 0, compiled: 0, findings: 0, crashes: 0, runs: 0 };
let seed = Number(values.seed);

while (Date.now() < deadline) {
  const seconds = String(Math.max(1, Math.round((deadline - Date.now()) / 1000)));
  const args = ['--seconds', seconds, '--seed', String(seed), '--current', current, '--corpus', ...corpus];
  const { code, signal, last } = await new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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
    child.on('exit', (code, signal) => resolve({ code, signal, last }));
  });
  totals.runs += 1;
  totals.tried += last.tried;
  totals.compiled += last.compiled;
  totals.findings += last.findings;
  if (signal !== null || code !== 0) {
    const input = fs.readFileSync(current, 'utf8');
    const name = `crash-${createHash('sha256').update(input).digest('hex').slice(0, 12)}.rego`;
    fs.mkdirSync(crashDir, { recursive: true });
    fs.writeFileSync(path.join(crashDir, name), input);
    totals.crashes += 1;
    totals.tried += 1;
    console.log(`CRASH (${signal ?? `exit ${code}`}) with seed ${seed}: kept as test/fixtures/fuzz-crashes/${name}`);
  }
  seed += 1;
}

fs.rmSync(work, { recursive: true, force: true });
console.log(`fuzz:rego ${values.minutes} min: ${totals.tried} inputs tried (${totals.compiled} compiled), ` +
  `${totals.findings} findings, ${totals.crashes} crashes, ${totals.runs} fuzzer run(s)`);
process.exit(totals.findings + totals.crashes > 0 ? 1 : 0);
