// `npm run bench [-- <name filter>]`: runs every bench/*.bench.mjs in sequence, each in its own
// node process so one suite's JIT and GC state cannot skew the next.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const suites = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.mjs') && file.includes(filter))
  .sort();

const failed = [];
for (const suite of suites) {
  console.log(`\n=== ${suite} ===`);
  const { status } = spawnSync(process.execPath, [suite], { cwd: dir, stdio: 'inherit' });
  if (status !== 0) failed.push(suite);
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
