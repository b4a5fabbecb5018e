// Attestation aggregator: 100 operators over one digest, the quorum path (40 shares from bytes →
// aggregate → one fast aggregate verification → certificate) and aggregate-all-100, through the TS
// API, in the raw crate (crates/newton-attestation/examples/bench_aggregator.rs) and with
// @chainsafe/blst doing the same cryptography from the same bytes. Shares come as the 96-byte
// compressed points BLS networks usually send and as the 192-byte uncompressed points our
// operators send. Ratios compare the median wall time of these single-threaded, synchronous runs;
// CPU time per run is beside it (Node's counts its helper threads, the crate's is one thread's).
// Env: BENCH_RUNS = timed runs per row (default 300, plus a tenth as warmup).
import blst from '@chainsafe/blst';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Aggregator, BlsSigner, OperatorRegistry } from '../bindings/dist/index.js';
import { micros, printMachine, printRatios, ratio, us, warnIfAddonStale } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const OPERATORS = 100;
const QUORUM = 40;

printMachine();
warnIfAddonStale();

// The keys and digest of bench_aggregator.rs: operator i has secret key 32 × byte i and stake 100
// in quorum 0; the digest is 0, 1, …, 31. Signing happens here, untimed (operators sign remotely).
const digest = Uint8Array.from({ length: 32 }, (_, i) => i);
const signers = Array.from({ length: OPERATORS }, (_, i) => BlsSigner.fromSecretKey(new Uint8Array(32).fill(i + 1)));
const hex = (bytes) => `0x${Buffer.from(bytes).toString('hex')}`;
const entries = signers.map((s) => ({
  operator_id: hex(createHash('sha256').update(s.publicKey).digest()),
  public_key: s.publicKey,
  proof_of_possession: s.proofOfPossession(),
  stake: { 0: 100 },
}));
let start = process.cpuUsage();
const registry = OperatorRegistry.fromJsonSync(entries);
const loadCpu = cpuNs(process.cpuUsage(start));
const compressed = signers.map((s) => s.signSync(digest));
const shares = {
  96: compressed,
  192: compressed.map((sig) => blst.Signature.fromBytes(sig).toBytes(false)),
};
const signatures = (len) => shares[len].map((signature, i) => ({ operatorId: entries[i].operator_id, signature }));
const ours = { 96: signatures(96), 192: signatures(192) };
// @chainsafe/blst gets the registry's keys parsed once, as our registry holds them.
const csKeys = signers.map((s) => blst.PublicKey.fromBytes(s.publicKey, true));
console.log(`registry of ${OPERATORS} operators (every PoP verified): ${us(loadCpu)} µs CPU, once\n`);

function cpuNs({ user, system }) {
  return (user + system) * 1000;
}

const aggregator = () => Aggregator.forMessage(registry, digest, [0], QUORUM);
const expectSigners = (certificate, n) => {
  if (certificate?.signers.length !== n) throw new Error(`expected ${n} signers, got ${certificate?.signers.length}`);
};
const addUntilQuorum = (list) => () => {
  const a = aggregator();
  let certificate = null;
  for (let i = 0; certificate === null; i++) certificate = a.add(list[i].operatorId, list[i].signature);
  expectSigners(certificate, QUORUM);
};
const addAsyncUntilQuorum = (list) => async () => {
  const a = aggregator();
  let certificate = null;
  for (let i = 0; certificate === null; i++) certificate = await a.addAsync(list[i].operatorId, list[i].signature);
  expectSigners(certificate, QUORUM);
};
// The same cryptography as the aggregator: decode n shares, sum them, one fast aggregate
// verification; `perShare` subgroup-checks every share (the library's default) instead of the sum.
const chainsafe = (len, n, perShare) => () => {
  const sig = blst.aggregateSerializedSignatures(shares[len].slice(0, n), perShare);
  if (!blst.fastAggregateVerify(digest, csKeys.slice(0, n), sig, !perShare)) throw new Error('chainsafe: does not verify');
};
const paths = {
  quorum: {
    'TS add() (96-byte shares)': addUntilQuorum(ours[96]),
    'TS add() (192-byte shares)': addUntilQuorum(ours[192]),
    'TS addAsync() (192-byte shares)': addAsyncUntilQuorum(ours[192]),
    '@chainsafe/blst (96, sum checked)': chainsafe(96, QUORUM, false),
    '@chainsafe/blst (96, each share checked)': chainsafe(96, QUORUM, true),
    '@chainsafe/blst (192, sum checked)': chainsafe(192, QUORUM, false),
  },
  all: {
    'TS aggregateSync(100) (96-byte shares)': () => expectSigners(aggregator().aggregateSync(ours[96]), OPERATORS),
    'TS aggregateSync(100) (192-byte shares)': () => expectSigners(aggregator().aggregateSync(ours[192]), OPERATORS),
    'TS aggregate(100) (192-byte shares)': async () => expectSigners(await aggregator().aggregate(ours[192]), OPERATORS),
    '@chainsafe/blst (96, sum checked)': chainsafe(96, OPERATORS, false),
    '@chainsafe/blst (192, sum checked)': chainsafe(192, OPERATORS, false),
  },
};

/**
 * CPU ns per run (all threads), wall mean and median, after RUNS / 10 warmup runs. Between runs
 * (untimed) the event loop turns, as it does between a gateway's tasks: Node runs the finalizers
 * that free an aggregator's native memory from the event loop, so a loop that never yields keeps
 * every aggregator alive (RSS grew ≈50 KB per run) and pays page faults for fresh memory that
 * the crate's loop, which drops each aggregator at once, does not.
 */
async function measure(run) {
  for (let i = 0; i < RUNS / 10; i++) await run();
  const wall = [];
  start = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    wall.push(Number(process.hrtime.bigint() - t0));
    await new Promise(setImmediate);
  }
  const cpu = cpuNs(process.cpuUsage(start)) / RUNS;
  wall.sort((a, b) => a - b);
  return { cpu, mean: wall.reduce((a, b) => a + b, 0) / RUNS, p50: wall[Math.floor(RUNS / 2)] };
}

const measured = { quorum: {}, all: {} };
for (const [path, runs] of Object.entries(paths)) {
  for (const [name, run] of Object.entries(runs)) measured[path][name] = await measure(run);
}

console.log('raw crate: cargo run --release --example bench_aggregator …\n');
const root = fileURLToPath(new URL('..', import.meta.url));
const cargoArgs = ['run', '--release', '-q', '-p', 'newton-attestation', '--example', 'bench_aggregator', '--', String(RUNS)];
const cargo = spawnSync('cargo', cargoArgs, { cwd: root, encoding: 'utf8' });
const crate = cargo.status === 0 ? JSON.parse(cargo.stdout.trim().split('\n').at(-1)) : {};
if (cargo.status !== 0) console.warn(`raw crate skipped: ${cargo.error?.message ?? cargo.stderr.trim().split('\n').at(-1)}`);
const crateRow = (key) => ({ cpu: crate[key]?.cpu_ns, mean: crate[key]?.mean_ns, p50: crate[key]?.p50_ns });
measured.quorum['raw crate add() (96-byte shares)'] = crateRow('quorum_compressed');
measured.quorum['raw crate add() (192-byte shares)'] = crateRow('quorum_uncompressed');
measured.all['raw crate aggregate(100) (96-byte shares)'] = crateRow('all_compressed');
measured.all['raw crate aggregate(100) (192-byte shares)'] = crateRow('all_uncompressed');

const rows = Object.entries(measured).flatMap(([path, byName]) =>
  Object.entries(byName).map(([name, { cpu, mean, p50 }]) => ({
    row: `${path === 'quorum' ? `quorum ${QUORUM}/${OPERATORS}` : `all ${OPERATORS}`}: ${name}`,
    'CPU µs/run': micros(cpu),
    'wall mean µs': micros(mean),
    'wall p50 µs': micros(p50),
  })),
);
console.log(`${OPERATORS} operators × stake 100, threshold ${QUORUM}% (the ${QUORUM}th signature reaches it), ${RUNS} runs per row:`);
console.table(rows);

const p50 = (path, name) => measured[path][name].p50;
const ratios = [
  ratio('quorum: TS add() / raw crate (192)', p50('quorum', 'TS add() (192-byte shares)'), p50('quorum', 'raw crate add() (192-byte shares)'), '≤ 1.10×', (r) => r <= 1.1),
  ratio('all: TS aggregateSync / raw crate (192)', p50('all', 'TS aggregateSync(100) (192-byte shares)'), p50('all', 'raw crate aggregate(100) (192-byte shares)'), '≤ 1.10×', (r) => r <= 1.1),
  ratio('quorum: @chainsafe/blst on 96-byte shares / TS as operators send (192)', p50('quorum', '@chainsafe/blst (96, sum checked)'), p50('quorum', 'TS add() (192-byte shares)'), '≥ 1.30× (TS faster)', (r) => r >= 1.3),
  ratio('quorum: @chainsafe/blst / TS, both on 96-byte shares', p50('quorum', '@chainsafe/blst (96, sum checked)'), p50('quorum', 'TS add() (96-byte shares)')),
  ratio('quorum: @chainsafe/blst / TS, both on 192-byte shares', p50('quorum', '@chainsafe/blst (192, sum checked)'), p50('quorum', 'TS add() (192-byte shares)')),
  ratio('all: @chainsafe/blst on 96-byte shares / TS (192)', p50('all', '@chainsafe/blst (96, sum checked)'), p50('all', 'TS aggregateSync(100) (192-byte shares)')),
];
console.log('ratios (median wall time):');
printRatios(ratios);
const notes = [
  'TS and raw-crate rows build a new Aggregator per run and do the whole path: registry lookups, stake tally, the shares decoded onto the curve, one subgroup check of the sum, one fast aggregate verification, the certificate (TS rows also parse its JSON).',
  '@chainsafe/blst rows do only the cryptography from the same bytes and the same pre-parsed public keys: decode, sum, one fast aggregate verification, checking the subgroup of the sum (or of every share).',
  'Decoding a 96-byte share takes a square root in Fp2; a 192-byte share only an on-curve check. Operators send 192-byte shares, so the gateway takes no square roots.',
  "Ratios use the median wall time: every row is a synchronous run on one thread. CPU time is beside it: Node's process.cpuUsage counts its GC and helper threads, the crate's /proc/self/schedstat one thread (and in a VM neither counts steal time).",
];
console.log(`notes:\n${notes.map((n) => `- ${n}`).join('\n')}`);
writeResults('attestation', {
  rows,
  ratios,
  chart: { title: `Aggregator, median wall µs per run (${OPERATORS} operators)`, value: 'wall p50 µs', unit: 'µs per run (median)' },
  versions: { '@chainsafe/blst': packageVersion('@chainsafe/blst') },
  notes,
});
