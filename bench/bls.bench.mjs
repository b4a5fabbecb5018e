// BLS12-381: the TS API beside the raw Rust crate, @chainsafe/blst (blst via napi) and
// @noble/curves (pure JS), on the same keys, message and ciphersuite (min-pk, DST
// BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_). Every row goes from bytes to bytes, parsing and
// subgroup-checking its inputs. Env: BENCH_TIME_MS = time budget per row (default 2000).
import blst from '@chainsafe/blst';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { Bench } from 'tinybench';
import {
  BlsSigner,
  blsAggregateSignaturesSync,
  blsFastAggregateVerifySync,
  blsVerify,
  blsVerifySync,
  bytesToHex as hex,
} from '../bindings/dist/index.js';
import { runBlsCrate } from './lib/peers.mjs';
import { micros, printMachine, printRatios, ratio, us, warnIfAddonStale } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';

const TIME = Number(process.env.BENCH_TIME_MS ?? 2000);
const SIZES = [4, 16, 100, 1000];
const DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
const noble = bls12_381.longSignatures;
const versions = { '@chainsafe/blst': packageVersion('@chainsafe/blst'), '@noble/curves': packageVersion('@noble/curves') };

printMachine();
warnIfAddonStale();

// The keys and message of bench_bls.rs: secret key i is KeyGen(u32_be(i) ‖ 28 × 0x42); message 0..31.
const msg = Uint8Array.from({ length: 32 }, (_, i) => i);
const secretKeys = Array.from({ length: 1000 }, (_, i) => {
  const ikm = new Uint8Array(32).fill(0x42);
  new DataView(ikm.buffer).setUint32(0, i);
  return blst.SecretKey.fromKeygen(ikm).toBytes();
});
const signers = secretKeys.map((sk) => BlsSigner.fromSecretKey(sk));
const pks = signers.map((s) => s.publicKey);
const sigs = signers.map((s) => s.signSync(msg));
const [signer, pk, sig] = [signers[0], pks[0], sigs[0]];
const chainsafeKey = blst.SecretKey.fromBytes(secretKeys[0]);
const first = Object.fromEntries(SIZES.map((n) => [n, { pks: pks.slice(0, n), sigs: sigs.slice(0, n) }]));
const must = (what, ok) => {
  if (!ok) throw new Error(`cross-check failed: ${what}`);
};

// The same operations in each JS peer, each used the way its API is meant to be used.
const csPk = (bytes) => blst.PublicKey.fromBytes(bytes, true);
const csSig = (bytes) => blst.Signature.fromBytes(bytes, true);
const peers = {
  TS: {
    sign: (m = msg) => signer.signSync(m),
    verify: () => blsVerifySync(pk, msg, sig),
    aggregate: (n) => blsAggregateSignaturesSync(first[n].sigs),
    fav: (n) => blsFastAggregateVerifySync(first[n].pks, msg, blsAggregateSignaturesSync(first[n].sigs)),
  },
  '@chainsafe/blst': {
    sign: (m = msg) => chainsafeKey.sign(m).toBytes(),
    verify: () => blst.verify(msg, csPk(pk), csSig(sig)),
    aggregate: (n) => blst.aggregateSerializedSignatures(first[n].sigs, true).toBytes(),
    fav: (n) => blst.fastAggregateVerify(msg, first[n].pks.map(csPk), blst.aggregateSerializedSignatures(first[n].sigs, true)),
  },
  '@noble/curves': {
    sign: (m = msg) => noble.sign(noble.hash(m, DST), secretKeys[0]).toBytes(),
    verify: () => noble.verify(sig, noble.hash(msg, DST), pk),
    aggregate: (n) => noble.aggregateSignatures(first[n].sigs).toBytes(),
    fav: (n) => noble.verify(noble.aggregateSignatures(first[n].sigs), noble.hash(msg, DST), noble.aggregatePublicKeys(first[n].pks)),
  },
};

// Cross-compatibility before timing: identical keys and signatures (BLS signing is deterministic),
// every peer verifies every peer's signature, and the aggregates agree.
must('@chainsafe/blst public key', hex(chainsafeKey.toPublicKey().toBytes()) === hex(pk));
must('@noble/curves public key', hex(noble.getPublicKey(secretKeys[0]).toBytes()) === hex(pk));
for (const [name, ops] of Object.entries(peers)) {
  must(`${name} signature`, hex(ops.sign()) === hex(sig));
  must(`${name} aggregate of 4`, hex(ops.aggregate(4)) === hex(peers.TS.aggregate(4)));
  must(`${name} aggregate + fast aggregate verify`, ops.fav(4));
  const other = new TextEncoder().encode(`signed by ${name}`);
  const made = ops.sign(other);
  must(`TS verifies ${name}`, blsVerifySync(pk, other, made));
  must(`@chainsafe/blst verifies ${name}`, blst.verify(other, csPk(pk), csSig(made)));
  must(`@noble/curves verifies ${name}`, noble.verify(made, noble.hash(other, DST), pk));
}
console.log(`cross-check: TS, @chainsafe/blst ${versions['@chainsafe/blst']} and @noble/curves ${versions['@noble/curves']} agree\n`);

// Few minimum iterations: @noble/curves takes seconds per 1000-signature row.
const bench = new Bench({ name: 'bls', time: TIME, iterations: 3, warmupIterations: 1, warmupTime: Math.min(TIME, 250), throws: true });
const OPS = [['sign', 'sign'], ['verify', 'verify'], ...SIZES.map((n) => [`aggregate ${n}`, 'aggregate', n]), ...SIZES.map((n) => [`aggregate+FAV ${n}`, 'fav', n])];
for (const [op, fn, n] of OPS) {
  for (const [name, ops] of Object.entries(peers)) {
    bench.add(`${name} ${op}`, fn === 'fav' ? () => must('fav', ops.fav(n)) : fn === 'sign' ? () => ops.sign() : () => ops[fn](n));
  }
}
bench.add('TS verify (async blsVerify)', async () => must('verify', await blsVerify(pk, msg, sig)));
await bench.run();

console.log('raw crate: cargo run --release --example bench_bls …\n');
const crate = runBlsCrate(TIME);
if (!crate.skipped && crate.aggregate4 !== hex(peers.TS.aggregate(4))) throw new Error('raw crate signs other keys or message');
const crateNs = (fn, n) => (crate.skipped ? NaN : fn === 'sign' ? crate.sign_ns : fn === 'verify' ? crate.verify_ns : crate[fn === 'fav' ? 'aggregate_fast_verify_ns' : 'aggregate_ns'][n]);
const ns = (task) => bench.getTask(task).result.latency.mean * 1e6;

const rows = OPS.map(([op, fn, n]) => ({
  op,
  ts: ns(`TS ${op}`),
  crate: crateNs(fn, n),
  chainsafe: ns(`@chainsafe/blst ${op}`),
  noble: ns(`@noble/curves ${op}`),
}));
console.log(`side by side (µs per operation, mean)${crate.skipped ? `; raw crate skipped: ${crate.skipped}` : ''}:`);
console.table(
  rows.map((r) => ({ operation: r.op, TS: us(r.ts), 'raw crate': us(r.crate), '@chainsafe/blst': us(r.chainsafe), '@noble/curves': us(r.noble) })),
);
const asyncVerify = ns('TS verify (async blsVerify)');
console.log(`TS verify, async (blsVerify, one at a time): ${us(asyncVerify)} µs\n`);

const ratios = rows.flatMap((r) => [
  ratio(`${r.op}: TS / raw crate`, r.ts, r.crate, '≤ 1.10×', (x) => x <= 1.1),
  ratio(`${r.op}: @noble/curves / TS`, r.noble, r.ts, '≥ 10×', (x) => x >= 10),
  ratio(`${r.op}: TS / @chainsafe/blst`, r.ts, r.chainsafe),
]);
ratios.push(ratio('verify: TS async (blsVerify) / sync', asyncVerify, rows[1].ts));
console.log('ratios:');
printRatios(ratios);
const notes = [
  'Rows take bytes and return bytes: every input point is decompressed and subgroup-checked (public keys also KeyValidated), as the TS API does on each call; signing keys are parsed once.',
  'aggregate+FAV N: aggregate N signatures, then FastAggregateVerify them against N public keys. TS passes the aggregate back as bytes (one more signature parse); @chainsafe/blst keeps its Signature object; @noble/curves verifies against the aggregated public key.',
  `Each tinybench row ran for ${TIME} ms and at least 3 iterations; the raw crate ran ${TIME} ms per row${crate.skipped ? ` (skipped: ${crate.skipped})` : ''}.`,
];
console.log(`notes:\n${notes.map((n) => `- ${n}`).join('\n')}`);

// One row per peer, one column per operation: the chart compares the peers on one verify.
const peerRow = (peer, key) => ({
  peer,
  ...Object.fromEntries(rows.map((r) => [`${r.op} µs`, micros(r[key])])),
  'verify, async µs': key === 'ts' ? micros(asyncVerify) : null,
});
writeResults('bls', {
  rows: [peerRow('TS', 'ts'), peerRow('raw crate', 'crate'), peerRow('@chainsafe/blst', 'chainsafe'), peerRow('@noble/curves', 'noble')],
  ratios,
  chart: { title: 'BLS verify (bytes in, pairing check), µs', value: 'verify µs', unit: 'µs per verify' },
  versions,
  notes,
});
