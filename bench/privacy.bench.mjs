// Privacy envelopes: seal and open of one ~200-byte JSON payload through the TS API beside the
// Newton SDK's stack, @hpke/core + @hpke/chacha20poly1305 with either X25519 (@hpke/dhkem-x25519,
// pure JS, as the SDK's package.json pulls in; or @hpke/core's own WebCrypto one, as the SDK's
// privacy module constructs). Every row goes from a JSON string to a JSON string (seal) or from
// envelope JSON to plaintext bytes (open), AAD and hex included, as the SDK does.
// There is no raw-crate row: newton-privacy has no bench example. Env: BENCH_TIME_MS (2000).
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, DhkemX25519HkdfSha256 as WebCryptoX25519, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { Bench } from 'tinybench';
import { keccak256 } from 'viem';
import { PrivacyNode, generatePrivacyKey, openEnvelopeSync, sealEnvelope, sealEnvelopeSync } from '../bindings/dist/index.js';
import { micros, printMachine, printRatios, ratio, us, warnIfAddonStale } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';

const TIME = Number(process.env.BENCH_TIME_MS ?? 2000);
const CONCURRENCY = 64;
const PEERS = ['@hpke/core', '@hpke/dhkem-x25519', '@hpke/chacha20poly1305'];
const versions = Object.fromEntries(PEERS.map((name) => [name, packageVersion(name)]));

printMachine();
warnIfAddonStale();

const POLICY_CLIENT = '0x1234567890abcdef1234567890abcdef12345678';
const CHAIN = 11155111;
const payload = JSON.stringify({
  kyc_score: 712,
  status: 'approved',
  address_country_code: 'US',
  address_subdivision: 'CA',
  birthdate: '1990-01-01',
  expiration_date: '2030-01-01',
  wallets: ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'],
});
const payloadBytes = new TextEncoder().encode(payload);

const key = generatePrivacyKey();
const node = new PrivacyNode({ secretKeys: [key.secretKey] });
const binding = { recipientPublicKey: key.publicKey, policyClient: POLICY_CLIENT, chainId: CHAIN };

// The SDK's helpers: hex both ways and computeAad (policy client bytes ‖ u64 BE chain id, viem keccak256).
const toHex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (hex) => new Uint8Array(Buffer.from(hex.replace(/^0x/, ''), 'hex'));
function computeAad(policyClient, chainId) {
  const packed = new Uint8Array(28);
  packed.set(fromHex(policyClient), 0);
  new DataView(packed.buffer).setBigUint64(20, BigInt(chainId));
  return fromHex(keccak256(packed));
}

/** One @hpke/core peer: seal as the SDK's createSecureEnvelope (without its Ed25519 signature), open as an operator would. */
async function hpkePeer(kem) {
  const suite = new CipherSuite({ kem, kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  const recipientKey = await suite.kem.deserializePrivateKey(fromHex(key.secretKey)); // once, like our keyring
  return {
    async seal(plaintext = payload) {
      const recipientPublicKey = await suite.kem.deserializePublicKey(fromHex(binding.recipientPublicKey));
      const sender = await suite.createSenderContext({ recipientPublicKey, info: new Uint8Array(0) });
      const ciphertext = await sender.seal(new TextEncoder().encode(plaintext), computeAad(POLICY_CLIENT, CHAIN));
      return JSON.stringify({
        enc: toHex(new Uint8Array(sender.enc)),
        ciphertext: toHex(new Uint8Array(ciphertext)),
        policy_client: POLICY_CLIENT,
        chain_id: CHAIN,
        recipient_pubkey: binding.recipientPublicKey.replace(/^0x/, ''), // the envelope carries bare hex
      });
    },
    async open(json) {
      const e = JSON.parse(json);
      const aad = computeAad(e.policy_client, e.chain_id);
      const pt = await suite.open({ recipientKey, enc: fromHex(e.enc) }, fromHex(e.ciphertext), aad);
      return new Uint8Array(pt);
    },
  };
}

const peers = {
  TS: { seal: async (p = payload) => sealEnvelopeSync(p, binding), open: async (json) => node.openSync(json) },
  '@hpke/core + @hpke/dhkem-x25519': await hpkePeer(new DhkemX25519HkdfSha256()),
  '@hpke/core WebCrypto X25519': await hpkePeer(new WebCryptoX25519()),
};
const must = (what, ok) => {
  if (!ok) throw new Error(`cross-check failed: ${what}`);
};
const same = (a, b) => Buffer.from(a).equals(Buffer.from(b));

// Cross-check before timing: every peer opens every peer's envelope to the same bytes.
const sealed = {};
for (const [name, ops] of Object.entries(peers)) sealed[name] = await ops.seal(`sealed by ${name}`);
for (const [opener, ops] of Object.entries(peers)) {
  for (const [sealer, json] of Object.entries(sealed)) {
    must(`${opener} opens ${sealer}'s envelope`, same(await ops.open(json), new TextEncoder().encode(`sealed by ${sealer}`)));
  }
}
const envelope = sealEnvelopeSync(payload, binding);
console.log(
  `cross-check: TS, @hpke/core ${versions['@hpke/core']} + @hpke/dhkem-x25519 ${versions['@hpke/dhkem-x25519']} / WebCrypto X25519` +
    ` + @hpke/chacha20poly1305 ${versions['@hpke/chacha20poly1305']} open each other's envelopes`,
);
console.log(`payload ${payloadBytes.length} bytes, envelope JSON ${envelope.length} bytes\n`);

const bench = new Bench({ name: 'privacy', time: TIME, warmupTime: Math.min(TIME, 250), throws: true });
const opened = (bytes) => must('open', bytes.length === payloadBytes.length);
bench
  .add('TS seal (sealEnvelopeSync)', () => sealEnvelopeSync(payload, binding))
  .add('TS seal (sealEnvelope, awaited)', async () => sealEnvelope(payload, binding))
  .add('TS open (PrivacyNode.openSync)', () => opened(node.openSync(envelope)))
  .add('TS open (PrivacyNode.open, awaited)', async () => opened(await node.open(envelope)))
  .add('TS open (openEnvelopeSync(json, secretKey))', () => opened(openEnvelopeSync(envelope, key.secretKey)))
  .add(`TS open ×${CONCURRENCY} concurrent`, async () =>
    (await Promise.all(Array.from({ length: CONCURRENCY }, () => node.open(envelope)))).forEach(opened),
  );
for (const name of Object.keys(peers).filter((n) => n !== 'TS')) {
  bench.add(`${name} seal`, () => peers[name].seal()).add(`${name} open`, async () => opened(await peers[name].open(envelope)));
}
await bench.run();

const stat = (task, per = 1) => {
  const { latency } = bench.getTask(task).result;
  return { mean: (latency.mean * 1e6) / per, p50: (latency.p50 * 1e6) / per, p99: (latency.p99 * 1e6) / per };
};
const [pure, webcrypto] = ['@hpke/core + @hpke/dhkem-x25519', '@hpke/core WebCrypto X25519'];
const rows = {
  tsSeal: { row: 'TS sealEnvelopeSync', ...stat('TS seal (sealEnvelopeSync)') },
  tsSealAsync: { row: 'TS sealEnvelope (async, awaited)', ...stat('TS seal (sealEnvelope, awaited)') },
  pureSeal: { row: `${pure} seal`, ...stat(`${pure} seal`) },
  webSeal: { row: `${webcrypto} seal`, ...stat(`${webcrypto} seal`) },
  tsOpen: { row: 'TS PrivacyNode.openSync', ...stat('TS open (PrivacyNode.openSync)') },
  tsOpenAsync: { row: 'TS PrivacyNode.open (async, awaited)', ...stat('TS open (PrivacyNode.open, awaited)') },
  tsOpenOneShot: { row: 'TS openEnvelopeSync(json, secretKey)', ...stat('TS open (openEnvelopeSync(json, secretKey))'), note: 'builds a one-key keyring per call' },
  tsOpenConcurrent: {
    row: `TS PrivacyNode.open, per open of ${CONCURRENCY} concurrent`,
    ...stat(`TS open ×${CONCURRENCY} concurrent`, CONCURRENCY),
    note: 'throughput on the libuv pool, not latency',
  },
  pureOpen: { row: `${pure} open`, ...stat(`${pure} open`) },
  webOpen: { row: `${webcrypto} open`, ...stat(`${webcrypto} open`) },
};
console.log('side by side (µs per operation):');
console.table(
  Object.values(rows).map(({ row, mean, p50, p99, note }) => ({ row, 'mean µs': us(mean), 'p50 µs': us(p50), 'p99 µs': us(p99), note: note ?? '' })),
);

const ratios = [
  ratio(`open: ${pure} / TS openSync`, rows.pureOpen.mean, rows.tsOpen.mean, '≥ 10×', (r) => r >= 10),
  ratio(`open: ${pure} / TS open (async)`, rows.pureOpen.mean, rows.tsOpenAsync.mean),
  ratio(`open: ${webcrypto} / TS openSync`, rows.webOpen.mean, rows.tsOpen.mean),
  ratio(`seal: ${pure} / TS sealEnvelopeSync`, rows.pureSeal.mean, rows.tsSeal.mean),
  ratio(`seal: ${pure} / TS sealEnvelope (async)`, rows.pureSeal.mean, rows.tsSealAsync.mean),
  ratio(`seal: ${webcrypto} / TS sealEnvelopeSync`, rows.webSeal.mean, rows.tsSeal.mean),
];
console.log('ratios (peer / TS: how many times faster TS is):');
printRatios(ratios);
const notes = [
  `Payload ${payloadBytes.length} bytes, envelope JSON ${envelope.length} bytes.`,
  "One X25519 key pair for every row; the @hpke peers deserialize the recipient's private key once (as our PrivacyNode holds its keyring) and the recipient's public key on every seal (as the SDK).",
  "Seal rows produce the envelope JSON string; open rows parse envelope JSON, recompute the AAD and return the plaintext bytes. The SDK's Ed25519 signature over the envelope is not part of any row.",
  "@hpke/core's API is async all through, so its rows include its promise turns; the TS sync rows do not, and the TS async rows add the hop to the libuv pool and back.",
  `Each tinybench row ran for ${TIME} ms.`,
];
console.log(`notes:\n${notes.map((n) => `- ${n}`).join('\n')}`);
writeResults('privacy', {
  rows: Object.values(rows).map(({ row, mean, p50, p99, note }) => ({
    row, 'mean µs': micros(mean), 'p50 µs': micros(p50), 'p99 µs': micros(p99), note: note ?? '',
  })),
  ratios,
  chart: { title: 'Privacy envelopes: seal and open, mean µs', value: 'mean µs', unit: 'µs per operation' },
  versions,
  notes,
});
