// `npm run bench [-- <name filter>] [-- --json]`: runs every bench/*.bench.mjs in sequence, each in
// its own node process so one suite's JIT and GC state cannot skew the next. Each suite writes
// bench/results/<suite>.json; bench/README.md's result blocks are then rendered from those files.
// With --json the suites' tables go to stderr and stdout is one JSON array of this run's results.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR } from './lib/results.mjs';

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const filter = args.find((a) => a !== '--json') ?? '';
const suites = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.mjs') && file.includes(filter))
  .sort();

mkdirSync(RESULTS_DIR, { recursive: true });
const started = Date.now();
const failed = [];
for (const suite of suites) {
  (json ? console.error : console.log)(`\n=== ${suite} ===`);
  const stdio = json ? ['ignore', process.stderr, 'inherit'] : 'inherit';
  const { status } = spawnSync(process.execPath, [suite], { cwd: dir, stdio });
  if (status !== 0) failed.push(suite);
}

const fresh = readdirSync(RESULTS_DIR, { withFileTypes: true })
  .filter((f) => f.isFile() && f.name.endsWith('.json') && statSync(`${RESULTS_DIR}${f.name}`).mtimeMs >= started)
  .map((f) => JSON.parse(readFileSync(`${RESULTS_DIR}${f.name}`, 'utf8')));
if (fresh.length > 0) spawnSync(process.execPath, ['readme.mjs'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
if (json) console.log(JSON.stringify(fresh, null, 2));
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
