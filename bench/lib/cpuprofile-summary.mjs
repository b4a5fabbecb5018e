// `node bench/lib/cpuprofile-summary.mjs <file.cpuprofile>… [--from S --to S]`: where a process's
// main thread spent its samples (from `node --cpu-prof`), each sample given to the innermost
// frame that belongs to a known library (secp256k1, keccak, viem, undici, fastify, sqlite, the
// addon, server/dist, node internals), plus the ten busiest functions. --from/--to keep the
// samples between those seconds of the profile. The V8 profiler samples wall time: a thread
// descheduled inside a call (a socket write that wakes another process on a busy machine) is
// counted in that call.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : Number(args.splice(i, 2)[1]);
};
const from = option('--from') ?? 0;
const to = option('--to') ?? Infinity;

const CATEGORIES = [
  ['(idle)', (f) => f.functionName === '(idle)'],
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['secp256k1 (@noble/curves)', (f) => /@noble\/curves/.test(f.url)],
  ['keccak256 (@noble/hashes)', (f) => /@noble\/hashes/.test(f.url)],
  ['viem (EIP-712 encoding, hex)', (f) => /node_modules\/viem\//.test(f.url)],
  ['undici (fetch client)', (f) => /undici/.test(f.url)],
  ['fastify and its deps', (f) => /node_modules\/(fastify|@fastify|find-my-way|light-my-request|avvio|pino|fast-json-stringify|secure-json-parse|toad-cache|ajv|@sinclair)/.test(f.url)],
  ['better-sqlite3', (f) => /better-sqlite3/.test(f.url)],
  ['newton-engine (bindings/dist, addon)', (f) => /bindings\/(dist|binding\.cjs)/.test(f.url)],
  ['server/dist', (f) => /server\/dist/.test(f.url)],
  ['node internals (net, http, streams, workers)', (f) => /^node:/.test(f.url)],
  ['(program)', (f) => f.functionName === '(program)'],
  ['V8 builtins (JSON, writev, …)', (f) => f.url === ''],
];

for (const file of args) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const byCategory = new Map();
  const byFunction = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const at = (t - profile.startTime) / 1e6;
    if (at < from || at > to) continue;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    let category = 'other JS';
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const hit = CATEGORIES.find(([, test]) => test(nodes.get(id).callFrame));
      if (hit) {
        category = hit[0];
        break;
      }
    }
    byCategory.set(category, (byCategory.get(category) ?? 0) + ms);
    const f = nodes.get(profile.samples[i]).callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|bindings)\//, '$1/')}:${f.lineNumber + 1}`;
    if (f.functionName !== '(idle)') byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const idle = byCategory.get('(idle)') ?? 0;
  byCategory.delete('(idle)');
  const busy = [...byCategory.values()].reduce((a, b) => a + b, 0);
  console.log(`${file}: ${(busy / 1000).toFixed(1)} s busy, ${(idle / 1000).toFixed(1)} s idle`);
  const rows = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([what, ms]) => `  ${(ms / 1000).toFixed(2).padStart(7)} s ${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${what}`);
  console.log(rows(byCategory, CATEGORIES.length + 1).join('\n'));
  console.log('  busiest functions (self time):');
  console.log(rows(byFunction, 10).join('\n'));
}
