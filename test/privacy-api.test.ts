// The privacy API through the public package: envelopes interoperate both ways with the Newton
// SDK's own HPKE stack (@hpke/core + X25519 + ChaCha20-Poly1305, AAD from viem), every failure has
// its own code, keys rotate and retire, and private evaluation runs the ephemeral, identity and
// confidential lifecycles end to end (EIP-712 authorizations signed with viem accounts).
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, DhkemX25519HkdfSha256 as WebCryptoX25519, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import fs from 'node:fs';
import path from 'node:path';
import { bytesToHex, encodePacked, hexToBytes, keccak256, toBytes, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PrivacyNode,
  PrivacyStore,
  domainId,
  envelopeDataRefId,
  generatePrivacyKey,
  openEnvelope,
  openEnvelopeSync,
  privacyPublicKey,
  sealEnvelope,
  sealEnvelopeSync,
  signPrivacyAuthorization,
  type Authorization,
  type Decision,
  type ErrorCode,
  type PrivacyMessage,
  type PrivacyMessageType,
  type Policy,
  PolicyDataHost,
  TaskEvaluator,
} from '../bindings/dist/index.js';
import { codeOf, codeOfAsync, compileOne, makeTempDir, rpcTransferIntent, vectors } from './helpers/newton.js';

const CHAIN = 11_155_111;
const POLICY_CLIENT = '0xc1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1';
const OTHER_CLIENT = '0xc2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
const BLACKLIST = 'newton.confidential.blacklist';
const [LISTED_V1, LISTED_V2, CLEAN] = ['0x' + 'a1'.repeat(20), '0x' + 'a2'.repeat(20), '0x' + 'a3'.repeat(20)];
const CANARY = 'CANARY-privacy-api-7f3e-never-on-disk';
const utf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bare = (hex: string) => hex.replace(/^0x/, '');

// The Newton SDK's stack. Its package.json pulls @hpke/dhkem-x25519 (pure JS); its privacy module
// constructs @hpke/core's own DhkemX25519HkdfSha256 (WebCrypto X25519). Both must interoperate.
const sdkSuites = {
  '@hpke/dhkem-x25519': new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() }),
  '@hpke/core WebCrypto X25519': new CipherSuite({ kem: new WebCryptoX25519(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() }),
};
const suite = sdkSuites['@hpke/dhkem-x25519'];

/** The SDK's computeAad, via viem: keccak256(policy_client 20 bytes ‖ chain_id u64 big-endian). */
const sdkAad = (policyClient: string, chainId: number) =>
  hexToBytes(keccak256(encodePacked(['address', 'uint64'], [policyClient as Hex, BigInt(chainId)])));

/** createSecureEnvelope as the SDK does it (fields in wire order, hex without 0x). */
async function sdkSeal(s: CipherSuite, plaintext: string, recipientPublicKey: string, policyClient: string, chainId: number) {
  const recipient = await s.kem.deserializePublicKey(hexToBytes(`0x${recipientPublicKey}`));
  const sender = await s.createSenderContext({ recipientPublicKey: recipient, info: new Uint8Array(0) });
  const ciphertext = await sender.seal(toBytes(plaintext), sdkAad(policyClient, chainId));
  return JSON.stringify({
    enc: bare(bytesToHex(new Uint8Array(sender.enc))),
    ciphertext: bare(bytesToHex(new Uint8Array(ciphertext))),
    policy_client: policyClient,
    chain_id: chainId,
    recipient_pubkey: recipientPublicKey,
  });
}

/** Opens our envelope JSON with @hpke/core, the AAD recomputed from its fields unless given. */
async function sdkOpenBytes(s: CipherSuite, envelopeJson: string, secretKey: string, aad?: Uint8Array) {
  const e = JSON.parse(envelopeJson);
  const recipientKey = await s.kem.deserializePrivateKey(hexToBytes(`0x${secretKey}`));
  const pt = await s.open(
    { recipientKey, enc: hexToBytes(`0x${e.enc}`) },
    hexToBytes(`0x${e.ciphertext}`),
    aad ?? sdkAad(e.policy_client, e.chain_id),
  );
  return new Uint8Array(pt);
}

const sdkOpen = async (s: CipherSuite, envelopeJson: string, secretKey: string, aad?: Uint8Array) =>
  utf8(await sdkOpenBytes(s, envelopeJson, secretKey, aad));



/** An envelope's JSON with `edit` applied to its parsed fields. */
const edited = (json: string, edit: (e: Record<string, unknown>) => void) => {
  const e = JSON.parse(json);
  edit(e);
  return JSON.stringify(e);
};

/** Flips the low bit of the hex byte at `index` (negative: from the end). */
const flipByte = (hex: string, index: number) => {
  const bytes = Buffer.from(hex, 'hex');
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = (bytes[i] as number) ^ 1;
  return bytes.toString('hex');
};

const key = generatePrivacyKey();
const bindTo = (policyClient = POLICY_CLIENT, chainId: number | bigint = CHAIN, publicKey = key.publicKey) => ({
  recipientPublicKey: publicKey,
  policyClient,
  chainId,
});

describe('interop with the Newton SDK (@hpke/core)', () => {
  it('AAD: the privacy vector reproduces with viem, and our envelopes are bound to exactly it', async () => {
    const [vector] = (vectors as unknown as { privacy_aad: { policy_client: Hex; chain_id: number; preimage_hex: Hex; value: Hex }[] }).privacy_aad;
    if (!vector) throw new Error('no privacy_aad vector');
    const preimage = encodePacked(['address', 'uint64'], [vector.policy_client, BigInt(vector.chain_id)]);
    expect(preimage).toBe(vector.preimage_hex);
    expect(keccak256(preimage)).toBe(vector.value);

    const sk = bare(bytesToHex(new Uint8Array(await suite.kem.serializePrivateKey((await suite.kem.generateKeyPair()).privateKey))));
    const envelope = sealEnvelopeSync('bound', bindTo(vector.policy_client, vector.chain_id, privacyPublicKey(sk)));
    expect(await sdkOpen(suite, envelope, sk, hexToBytes(vector.value))).toBe('bound');
    // The whitepaper's uint256 chain id is a different AAD: @hpke/core refuses it.
    const uint256Aad = hexToBytes(keccak256(encodePacked(['address', 'uint256'], [vector.policy_client, BigInt(vector.chain_id)])));
    await expect(sdkOpen(suite, envelope, sk, uint256Aad)).rejects.toThrow();
  });

  for (const [name, s] of Object.entries(sdkSuites)) {
    it(`${name}: keys agree, SDK-sealed envelopes open with openEnvelope and PrivacyNode.open`, async () => {
      const pair = await s.kem.generateKeyPair();
      const sk = bare(bytesToHex(new Uint8Array(await s.kem.serializePrivateKey(pair.privateKey))));
      const pk = bare(bytesToHex(new Uint8Array(await s.kem.serializePublicKey(pair.publicKey))));
      // Keys go in with or without 0x and come out 0x-prefixed; envelopes carry them bare.
      expect(privacyPublicKey(sk)).toBe(`0x${pk}`);
      expect(privacyPublicKey(`0x${sk}`)).toBe(`0x${pk}`);

      const plaintext = JSON.stringify({ kyc_score: 712, note: 'sealed by the SDK' });
      // The SDK passes the policy client through as given: lower-case here, checksummed below.
      const lower = await sdkSeal(s, plaintext, pk, POLICY_CLIENT, CHAIN);
      expect(utf8(await openEnvelope(lower, sk))).toBe(plaintext);
      expect(utf8(openEnvelopeSync(JSON.parse(lower), sk))).toBe(plaintext);
      const node = new PrivacyNode({ secretKeys: [sk] });
      const checksummed = await sdkSeal(s, plaintext, pk, privateKeyToAccount(generatePrivateKey()).address, 1);
      expect(utf8(await node.open(checksummed))).toBe(plaintext);
      expect(utf8(node.openSync(checksummed))).toBe(plaintext);
    });

    it(`${name}: envelopes from sealEnvelope / sealEnvelopeSync open with @hpke/core`, async () => {
      const pair = await s.kem.generateKeyPair();
      const sk = bare(bytesToHex(new Uint8Array(await s.kem.serializePrivateKey(pair.privateKey))));
      const binding = bindTo(POLICY_CLIENT, CHAIN, privacyPublicKey(sk));
      const payload = { addresses: [LISTED_V1], canary: CANARY };
      const json = await sealEnvelope(payload, binding);
      const e = JSON.parse(json);
      expect(Object.keys(e)).toEqual(['enc', 'ciphertext', 'policy_client', 'chain_id', 'recipient_pubkey']);
      expect(e.enc).toMatch(/^[0-9a-f]{64}$/);
      expect(e.recipient_pubkey).toBe(bare(binding.recipientPublicKey));
      expect(e.ciphertext).toHaveLength((JSON.stringify(payload).length + 16) * 2);
      expect(e.policy_client.toLowerCase()).toBe(POLICY_CLIENT);
      expect(e.chain_id).toBe(CHAIN);
      expect(await sdkOpen(s, json, sk)).toBe(JSON.stringify(payload));
      const bytes = Uint8Array.from([0, 1, 2, 255]);
      const raw = sealEnvelopeSync(bytes, { ...binding, chainId: `${CHAIN}` });
      expect(await sdkOpenBytes(s, raw, sk)).toEqual(bytes);
    });
  }

  it('a fresh ephemeral key per seal; data_ref_id is keccak256 of the exact JSON bytes', () => {
    const a = sealEnvelopeSync('same', bindTo());
    const b = sealEnvelopeSync('same', bindTo());
    expect(JSON.parse(a).enc).not.toBe(JSON.parse(b).enc);
    expect(envelopeDataRefId(a)).toBe(keccak256(toBytes(a)));
    expect(envelopeDataRefId(a)).not.toBe(envelopeDataRefId(b));
  });
});

describe('error codes', () => {
  const envelope = sealEnvelopeSync({ secret: CANARY }, bindTo());
  const open = (json: string) => codeOf(() => openEnvelopeSync(json, key.secretKey));

  it('tampered ciphertext, tag or enc → NEWTON_ERR_PRIVACY_DECRYPT (sync and async)', async () => {
    const body = edited(envelope, (e) => (e.ciphertext = flipByte(e.ciphertext as string, 0)));
    const tag = edited(envelope, (e) => (e.ciphertext = flipByte(e.ciphertext as string, -1)));
    const enc = edited(envelope, (e) => (e.enc = flipByte(e.enc as string, 5)));
    for (const json of [body, tag, enc]) expect(open(json)).toBe('NEWTON_ERR_PRIVACY_DECRYPT');
    expect(await codeOfAsync(openEnvelope(body, key.secretKey))).toBe('NEWTON_ERR_PRIVACY_DECRYPT');
    expect(utf8(openEnvelopeSync(envelope, key.secretKey))).toBe(JSON.stringify({ secret: CANARY }));
  });

  it('policy_client or chain_id edited in the JSON (AAD no longer matches) → NEWTON_ERR_PRIVACY_DECRYPT', () => {
    expect(open(edited(envelope, (e) => (e.policy_client = OTHER_CLIENT)))).toBe('NEWTON_ERR_PRIVACY_DECRYPT');
    expect(open(edited(envelope, (e) => (e.chain_id = 1)))).toBe('NEWTON_ERR_PRIVACY_DECRYPT');
    // Re-casing the address keeps its 20 bytes, hence the AAD.
    const lower = edited(envelope, (e) => (e.policy_client = (e.policy_client as string).toLowerCase()));
    expect(utf8(openEnvelopeSync(lower, key.secretKey))).toContain(CANARY);
  });

  it('sealed to someone else → NEWTON_ERR_PRIVACY_WRONG_RECIPIENT; recipient_pubkey swapped → DECRYPT', () => {
    const other = generatePrivacyKey();
    const theirs = sealEnvelopeSync('x', bindTo(POLICY_CLIENT, CHAIN, other.publicKey));
    expect(open(theirs)).toBe('NEWTON_ERR_PRIVACY_WRONG_RECIPIENT');
    expect(codeOf(() => new PrivacyNode({ secretKeys: [key.secretKey] }).openSync(theirs))).toBe('NEWTON_ERR_PRIVACY_WRONG_RECIPIENT');
    // Claiming our key for their envelope gets past the lookup, not past the KEM.
    expect(open(edited(theirs, (e) => (e.recipient_pubkey = bare(key.publicKey))))).toBe('NEWTON_ERR_PRIVACY_DECRYPT');
  });

  const malformed: [string, string][] = [
    ['not JSON', '{"enc":'],
    ['a JSON array', '[]'],
    ['missing chain_id', edited(envelope, (e) => delete e.chain_id)],
    ['an unknown field', edited(envelope, (e) => (e.extra = 1))],
    ['enc with 0x', edited(envelope, (e) => (e.enc = `0x${e.enc}`))],
    ['enc not hex', edited(envelope, (e) => (e.enc = 'zz'.repeat(32)))],
    ['enc odd length', edited(envelope, (e) => (e.enc = (e.enc as string).slice(1)))],
    ['enc 31 bytes', edited(envelope, (e) => (e.enc = (e.enc as string).slice(2)))],
    ['recipient_pubkey 33 bytes', edited(envelope, (e) => (e.recipient_pubkey = `${e.recipient_pubkey}00`))],
    ['ciphertext shorter than the tag', edited(envelope, (e) => (e.ciphertext = 'aa'.repeat(15)))],
    ['ciphertext not hex', edited(envelope, (e) => (e.ciphertext = 'g0'))],
    ['policy_client without 0x', edited(envelope, (e) => (e.policy_client = bare(e.policy_client as string)))],
    ['policy_client of 19 bytes', edited(envelope, (e) => (e.policy_client = (e.policy_client as string).slice(0, 40)))],
    ['chain_id as a string', edited(envelope, (e) => (e.chain_id = String(e.chain_id)))],
    ['chain_id negative', edited(envelope, (e) => (e.chain_id = -1))],
    ['chain_id past u64', envelope.replace(`"chain_id":${CHAIN}`, '"chain_id":18446744073709551616')],
  ];
  it.each(malformed)('%s → NEWTON_ERR_PRIVACY_ENVELOPE_INVALID', async (_, json) => {
    expect(open(json)).toBe('NEWTON_ERR_PRIVACY_ENVELOPE_INVALID');
    expect(await codeOfAsync(openEnvelope(json, key.secretKey))).toBe('NEWTON_ERR_PRIVACY_ENVELOPE_INVALID');
  });

  it('bad keys and bindings are argument errors', () => {
    expect(codeOf(() => privacyPublicKey('ab'))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(codeOf(() => new PrivacyNode({ secretKeys: [] }))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(codeOf(() => sealEnvelopeSync('x', bindTo('0x1234')))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(codeOf(() => sealEnvelopeSync('x', bindTo(POLICY_CLIENT, CHAIN, 'ab'.repeat(31))))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(codeOf(() => sealEnvelopeSync('x', bindTo(POLICY_CLIENT, 2n ** 64n)))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
  });

  it('rotation keeps old envelopes open until retire → NEWTON_ERR_PRIVACY_KEY_RETIRED', async () => {
    const [first, second] = [generatePrivacyKey(), generatePrivacyKey()];
    const node = new PrivacyNode({ secretKeys: [first.secretKey] });
    expect(node.publicKey).toBe(first.publicKey);
    const old = sealEnvelopeSync('old', bindTo(POLICY_CLIENT, CHAIN, node.publicKey));

    node.rotate(second.secretKey);
    expect(node.publicKey).toBe(second.publicKey);
    const fresh = sealEnvelopeSync('new', bindTo(POLICY_CLIENT, CHAIN, node.publicKey));
    expect(utf8(await node.open(old))).toBe('old');
    expect(utf8(node.openSync(fresh))).toBe('new');

    expect(codeOf(() => node.retire(second.publicKey))).toBe('NEWTON_ERR_INVALID_ARGUMENT'); // the current key
    expect(codeOf(() => node.retire(generatePrivacyKey().publicKey))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    node.retire(first.publicKey);
    expect(codeOf(() => node.openSync(old))).toBe('NEWTON_ERR_PRIVACY_KEY_RETIRED');
    expect(await codeOfAsync(node.open(old))).toBe('NEWTON_ERR_PRIVACY_KEY_RETIRED');
    expect(utf8(node.openSync(fresh))).toBe('new');
    // A node that never had the key says wrong recipient, not retired.
    expect(codeOf(() => new PrivacyNode({ secretKeys: [second.secretKey] }).openSync(old))).toBe('NEWTON_ERR_PRIVACY_WRONG_RECIPIENT');
  });
});

/** A private task as an operator sees it: its privacy node, whose task it is, the task's wasm_args. */
interface PrivateTask {
  node: PrivacyNode;
  policyClient: string;
  wasmArgs?: string | Record<string, unknown>;
}

const host = new PolicyDataHost({ cacheDir: makeTempDir('privacy-api-host') });
const evaluators = new Map<PrivacyNode, TaskEvaluator>();

/** The operator's dry run of a private task: its node attaches the private data, nothing signed. */
async function evaluatePrivate(policy: Policy, request: Record<string, unknown>, task: PrivateTask): Promise<Decision> {
  let evaluator = evaluators.get(task.node);
  if (evaluator === undefined) evaluators.set(task.node, (evaluator = new TaskEvaluator({ host, privacy: task.node })));
  const { decision } = await evaluator.simulate(policy, { ...request, policy_client: task.policyClient, wasm_args: task.wasmArgs });
  return decision;
}

/** A wire intent from `from` to `to` on `chainId` (the rpc-api transfer, re-addressed). */
const intent = (from: string, to = CLEAN, chainId = CHAIN) => ({ ...rpcTransferIntent(), from, to, chain_id: `0x${chainId.toString(16)}` });

describe('private evaluation: ephemeral data (wasmArgs._newton.privacy → data.privacy)', () => {
  const node = new PrivacyNode({ secretKeys: [key.secretKey] });
  const user = privateKeyToAccount(generatePrivateKey()).address;
  const scorePolicy = compileOne('package p\nimport rego.v1\ndefault allow := false\nallow if data.privacy.kyc_score >= 700\n');
  const echo = compileOne('package p\nimport rego.v1\nseen := data.privacy\n', undefined, 'p.seen');
  const seal = (pt: object, pc = POLICY_CLIENT, chain = CHAIN) => sealEnvelopeSync(pt, bindTo(pc, chain, node.publicKey));
  const privacy = (envelopes: unknown[], policyClient = POLICY_CLIENT) => ({
    node,
    policyClient,
    wasmArgs: { symbol: 'ETH', _newton: { privacy: envelopes } },
  });

  it('envelopes (objects or JSON strings) merge in order into data.privacy, for this evaluation only', async () => {
    const envelopes = [JSON.parse(seal({ kyc_score: 650, tier: 'a' })), seal({ kyc_score: 712 })];
    const merged = await evaluatePrivate(echo, { intent: intent(user) }, privacy(envelopes));
    expect(merged.result).toEqual({ kyc_score: 712, tier: 'a' });
    expect((await evaluatePrivate(scorePolicy, { intent: intent(user) }, privacy(envelopes))).allow).toBe(true);
    // As a JSON string too; and a plain evaluation decrypts nothing.
    const asString = { ...privacy(envelopes), wasmArgs: JSON.stringify(privacy(envelopes).wasmArgs) };
    expect((await evaluatePrivate(scorePolicy, { intent: intent(user) }, asString)).allow).toBe(true);
    expect((await scorePolicy.evaluate({ intent: intent(user) })).allow).toBe(false);
    expect((await echo.evaluate({ intent: intent(user) })).result).toBeUndefined();
    // Below the threshold the policy denies: the value really comes from the envelope.
    expect((await evaluatePrivate(scorePolicy, { intent: intent(user) }, privacy([seal({ kyc_score: 600 })]))).allow).toBe(false);
  });

  it('a key rotation reaches an evaluator already holding the node', async () => {
    const rotating = new PrivacyNode({ secretKeys: [generatePrivacyKey().secretKey] });
    const evaluator = new TaskEvaluator({ host, privacy: rotating });
    const next = generatePrivacyKey();
    rotating.rotate(next.secretKey);
    const envelope = sealEnvelopeSync({ kyc_score: 800 }, bindTo(POLICY_CLIENT, CHAIN, next.publicKey));
    const wasm_args = { _newton: { privacy: [envelope] } };
    const { decision } = await evaluator.simulate(scorePolicy, { intent: intent(user), policy_client: POLICY_CLIENT, wasm_args });
    expect(decision.allow).toBe(true);
  });

  it('no `_newton.privacy` → data.privacy stays undefined', async () => {
    const d = await evaluatePrivate(echo, { intent: intent(user) }, { node, policyClient: POLICY_CLIENT, wasmArgs: { symbol: 'ETH' } });
    expect(d.allow).toBe(false);
    expect(d.result).toBeUndefined();
  });

  // Ephemeral data that does not open makes the decision a deny carrying its code.
  const failures: [string, ErrorCode, () => PrivateTask][] = [
    ['bound to another policy client', 'NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH', () => privacy([seal({ kyc_score: 800 }, OTHER_CLIENT)])],
    ['for a task of another policy client', 'NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH', () => privacy([seal({ kyc_score: 800 })], OTHER_CLIENT)],
    ['bound to another chain', 'NEWTON_ERR_PRIVACY_AAD_MISMATCH', () => privacy([seal({ kyc_score: 800 }, POLICY_CLIENT, 1)])],
    ['tampered', 'NEWTON_ERR_PRIVACY_DECRYPT', () => privacy([edited(seal({ kyc_score: 800 }), (e) => (e.ciphertext = flipByte(e.ciphertext as string, 3)))])],
    ['sealed to another node', 'NEWTON_ERR_PRIVACY_WRONG_RECIPIENT', () => privacy([sealEnvelopeSync({ kyc_score: 800 }, bindTo(POLICY_CLIENT, CHAIN, generatePrivacyKey().publicKey))])],
    ['not decrypting to a JSON object', 'NEWTON_ERR_PRIVACY_ENVELOPE_INVALID', () => privacy([sealEnvelopeSync('[800]', bindTo(POLICY_CLIENT, CHAIN, node.publicKey))])],
    ['not an array', 'NEWTON_ERR_PRIVACY_ENVELOPE_INVALID', () => ({ ...privacy([]), wasmArgs: { _newton: { privacy: seal({ kyc_score: 800 }) } } })],
    ['a number in the array', 'NEWTON_ERR_PRIVACY_ENVELOPE_INVALID', () => privacy([42])],
  ];
  it.each(failures)('an envelope %s → a deny with %s', async (_, code, task) => {
    const decision = await evaluatePrivate(scorePolicy, { intent: intent(user) }, task());
    expect(decision.allow).toBe(false);
    expect(decision.error?.code).toBe(code);
  });

  it('the task needs an intent and a policy client address', async () => {
    const task = privacy([seal({ kyc_score: 800 })]);
    expect(await codeOfAsync(evaluatePrivate(scorePolicy, { params: {} }, task))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(await codeOfAsync(evaluatePrivate(scorePolicy, { intent: intent(user) }, { ...task, policyClient: 'acme' }))).toBe(
      'NEWTON_ERR_INVALID_JSON',
    );
  });
});

/** A store on a temp file, a node holding its key, and the parties of both lifecycles. */
async function world(prefix: string) {
  const dir = makeTempDir(prefix);
  const store = await PrivacyStore.open(path.join(dir, 'privacy.db'), CHAIN);
  const node = new PrivacyNode({ secretKeys: [generatePrivacyKey().secretKey], store });
  const account = () => privateKeyToAccount(generatePrivateKey());
  const parties = { owner: account(), user: account(), provider: account(), clientOwner: account(), mallory: account() };
  const authorize = async (
    who: PrivateKeyAccount,
    type: PrivacyMessageType,
    message: PrivacyMessage,
    options: { nonce?: number; deadline?: number } = {},
  ): Promise<Authorization> =>
    signPrivacyAuthorization(who, type, message, { chainId: CHAIN, nonce: options.nonce ?? (await store.nonce(who.address)), deadline: options.deadline });
  const seal = (plaintext: object, boundTo: string) => sealEnvelopeSync(plaintext, bindTo(boundTo, CHAIN, node.publicKey));
  const task = { node, policyClient: POLICY_CLIENT };
  return { dir, store, node, ...parties, authorize, seal, task };
}

const kycFields = { status: 'approved', address_country_code: 'US', address_subdivision: 'CA', birthdate: '1990-01-01',
  expiration_date: '2030-01-01', issue_date: '2020-01-01', note: CANARY };
const KYC_POLICY = `package p
import rego.v1
default allow := false
allow if {
  newton.identity.kyc.check_approved()
  newton.identity.kyc.age_gte(18)
  newton.identity.kyc.address_in_countries(["US"])
  newton.identity.kyc.not_expired()
}
`;
const BLACKLIST_POLICY = 'package p\nimport rego.v1\ndefault allow := false\nallow if not newton.confidential.blacklist.contains(input.to)\n';

describe('private evaluation: identity lifecycle', () => {
  let w: Awaited<ReturnType<typeof world>>;
  const kyc = compileOne(KYC_POLICY);
  const evaluate = (from: string, task = w.task) => evaluatePrivate(kyc, { intent: intent(from), reference_date: '2026-11-25' }, task);
  const link = () => ({ owner: w.owner.address, policyClient: POLICY_CLIENT, user: w.owner.address, domains: ['kyc'] });
  const linkMessage = (l: ReturnType<typeof link>): PrivacyMessage => ({
    identityOwner: l.owner,
    policyClient: l.policyClient as Hex,
    clientUser: l.user,
    identityDomains: l.domains.map(domainId),
  });
  let envelope: string;
  let dataRefId: Hex;

  beforeAll(async () => {
    w = await world('privacy-identity');
    envelope = w.seal(kycFields, w.owner.address);
  });
  afterAll(() => fs.rmSync(w.dir, { recursive: true, force: true }));

  it('upload: the store keeps the envelope under keccak256 of its bytes and bumps the nonce', async () => {
    dataRefId = envelopeDataRefId(envelope);
    const message = { identityOwner: w.owner.address, identityDomain: domainId('kyc'), dataRefId };
    const ref = await w.store.uploadIdentity({ owner: w.owner.address, domain: 'kyc', envelope, authorization: await w.authorize(w.owner, 'UploadIdentity', message) });
    expect(ref).toBe(dataRefId);
    expect(await w.store.nonce(w.owner.address)).toBe(1);
    const stored = await w.store.envelope(ref);
    expect(stored.kind).toBe('identity');
    expect(stored.owner.toLowerCase()).toBe(w.owner.address.toLowerCase());
    expect(stored.envelope).toBe(envelope);
    expect(await codeOfAsync(w.store.envelope(`0x${'00'.repeat(32)}`))).toBe('NEWTON_ERR_PRIVACY_UNKNOWN_DATA_REF');
    // Not linked yet: the builtins see no identity and the policy denies.
    expect((await evaluate(w.owner.address)).allow).toBe(false);
  });

  it('an identity envelope must be bound to its owner on this chain', async () => {
    const wrong = [w.seal(kycFields, POLICY_CLIENT), sealEnvelopeSync(kycFields, bindTo(w.owner.address, 1, w.node.publicKey))];
    const codes = [];
    for (const e of wrong) {
      const message = { identityOwner: w.owner.address, identityDomain: domainId('kyc'), dataRefId: envelopeDataRefId(e) };
      const authorization = await w.authorize(w.owner, 'UploadIdentity', message);
      codes.push(await codeOfAsync(w.store.uploadIdentity({ owner: w.owner.address, domain: 'kyc', envelope: e, authorization })));
    }
    expect(codes).toEqual(['NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH', 'NEWTON_ERR_PRIVACY_AAD_MISMATCH']);
    expect(await w.store.nonce(w.owner.address)).toBe(1);
  });

  it('link → newton.identity.kyc.* allow for the linked sender only', async () => {
    const l = link();
    await w.store.linkIdentity(l, await w.authorize(w.owner, 'LinkIdentity', linkMessage(l)));
    expect(await w.store.linkedIdentity(POLICY_CLIENT, w.owner.address)).toEqual([
      { domain: 'kyc', owner: expect.stringMatching(new RegExp(`^${w.owner.address}$`, 'i')), data_ref_id: dataRefId },
    ]);
    expect(await evaluate(w.owner.address)).toMatchObject({ allow: true });
    expect((await evaluatePrivate(kyc, { intent: intent(w.owner.address), reference_date: '2026-11-25' }, w.task)).allow).toBe(true);
    // Another sender, another policy client, or a date past expiry: deny.
    expect((await evaluate(w.user.address)).allow).toBe(false);
    expect((await evaluate(w.owner.address, { ...w.task, policyClient: OTHER_CLIENT })).allow).toBe(false);
    const expired = await evaluatePrivate(kyc, { intent: intent(w.owner.address), reference_date: '2031-01-01' }, w.task);
    expect(expired.allow).toBe(false);
    // An intent on another chain than the store's is refused outright.
    const otherChain = evaluatePrivate(kyc, { intent: intent(w.owner.address, CLEAN, 1) }, w.task);
    expect(await codeOfAsync(otherChain)).toBe('NEWTON_ERR_PRIVACY_AAD_MISMATCH');
  });

  it('linking to a user other than the owner needs both signatures', async () => {
    const l = { ...link(), user: w.user.address };
    const ownerAuth = await w.authorize(w.owner, 'LinkIdentity', linkMessage(l));
    expect(await codeOfAsync(w.store.linkIdentity(l, ownerAuth))).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    expect(await w.store.linkedIdentity(POLICY_CLIENT, w.user.address)).toEqual([]);
    await w.store.linkIdentity(l, ownerAuth, await w.authorize(w.user, 'LinkIdentity', linkMessage(l)));
    expect((await evaluate(w.user.address)).allow).toBe(true);
  });

  it('refused authorizations (wrong signer, forged signer field, replayed nonce, expired deadline) change nothing', async () => {
    const l = link();
    const before = { nonce: await w.store.nonce(w.owner.address), links: await w.store.linkedIdentity(POLICY_CLIENT, w.owner.address) };
    const message = linkMessage(l);
    const byMallory = await w.authorize(w.mallory, 'UnlinkIdentity', message);
    const forged: Authorization = { ...byMallory, signer: w.owner.address, nonce: before.nonce };
    const expired = await w.authorize(w.owner, 'UnlinkIdentity', message, { deadline: Math.floor(Date.now() / 1000) - 60 });
    const replayed = await w.authorize(w.owner, 'UnlinkIdentity', message, { nonce: before.nonce - 1 });
    for (const authorization of [byMallory, forged, expired, replayed]) {
      expect(await codeOfAsync(w.store.unlinkIdentity(l, authorization))).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    }
    // A signature over another message (a different domain list) does not pass for this one.
    const otherDomains = await w.authorize(w.owner, 'UnlinkIdentity', { ...message, identityDomains: [domainId('aml')] });
    expect(await codeOfAsync(w.store.unlinkIdentity(l, otherDomains))).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    // An upload with a bad signature stores nothing.
    const canary = w.seal({ ...kycFields, status: 'rejected' }, w.owner.address);
    const upload = { owner: w.owner.address, domain: 'kyc', envelope: canary };
    const m = { identityOwner: w.owner.address, identityDomain: domainId('kyc'), dataRefId: envelopeDataRefId(canary) };
    expect(await codeOfAsync(w.store.uploadIdentity({ ...upload, authorization: await w.authorize(w.mallory, 'UploadIdentity', m) }))).toBe(
      'NEWTON_ERR_PRIVACY_UNAUTHORIZED',
    );
    expect(await codeOfAsync(w.store.envelope(envelopeDataRefId(canary)))).toBe('NEWTON_ERR_PRIVACY_UNKNOWN_DATA_REF');

    expect(await w.store.nonce(w.owner.address)).toBe(before.nonce);
    expect(await w.store.linkedIdentity(POLICY_CLIENT, w.owner.address)).toEqual(before.links);
    expect((await evaluate(w.owner.address)).allow).toBe(true);
  });

  it('unlink → deny; the store files never held the plaintext', async () => {
    const l = link();
    await w.store.unlinkIdentity(l, await w.authorize(w.owner, 'UnlinkIdentity', linkMessage(l)));
    expect(await w.store.linkedIdentity(POLICY_CLIENT, w.owner.address)).toEqual([]);
    expect((await evaluate(w.owner.address)).allow).toBe(false);
    // The user's own link (signed by the user) still stands until the user unlinks it.
    expect((await evaluate(w.user.address)).allow).toBe(true);
    const ul = { ...l, user: w.user.address };
    await w.store.unlinkIdentity(ul, await w.authorize(w.user, 'UnlinkIdentity', linkMessage(ul)));
    expect((await evaluate(w.user.address)).allow).toBe(false);

    const files = fs.readdirSync(w.dir).map((f) => fs.readFileSync(path.join(w.dir, f)));
    const ciphertext = Buffer.from(JSON.parse(envelope).ciphertext as string);
    expect(files.some((bytes) => bytes.includes(ciphertext))).toBe(true); // we scan the right files
    for (const bytes of files) expect(bytes.includes(Buffer.from(CANARY))).toBe(false);
  });
});

describe('private evaluation: confidential lifecycle', () => {
  let w: Awaited<ReturnType<typeof world>>;
  const blacklist = compileOne(BLACKLIST_POLICY);
  const evaluate = (to: string) => evaluatePrivate(blacklist, { intent: intent(w.user.address, to) }, w.task);
  const grant = (authorization: Authorization) => ({ provider: w.provider.address, domain: BLACKLIST, policyClient: POLICY_CLIENT, authorization });
  const grantMessage = (): PrivacyMessage => ({ provider: w.provider.address, domain: domainId(BLACKLIST), policyClient: POLICY_CLIENT as Hex });
  const acceptMessage = (owner = w.clientOwner.address): PrivacyMessage => ({ policyClientOwner: owner, ...grantMessage() });
  const publish = async (addresses: string[]) => {
    const envelope = w.seal({ addresses }, w.provider.address);
    const message = { provider: w.provider.address, domain: domainId(BLACKLIST), dataRefId: envelopeDataRefId(envelope) };
    const authorization = await w.authorize(w.provider, 'PublishData', message);
    return w.store.publishConfidential({ provider: w.provider.address, domain: BLACKLIST, envelope, authorization });
  };

  beforeAll(async () => {
    w = await world('privacy-confidential');
    await w.store.setPolicyClientOwner(POLICY_CLIENT, w.clientOwner.address);
  });
  afterAll(() => fs.rmSync(w.dir, { recursive: true, force: true }));

  it('publish twice → versions 1 and 2, both addressable', async () => {
    const v1 = await publish([LISTED_V1]);
    const v2 = await publish([LISTED_V1, LISTED_V2]);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.domain).toBe(BLACKLIST);
    expect((await w.store.versions(w.provider.address, BLACKLIST)).map((v) => [v.version, v.data_ref_id])).toEqual([
      [1, v1.data_ref_id],
      [2, v2.data_ref_id],
    ]);
    const old = await w.store.envelope(v1.data_ref_id);
    expect(old.kind).toBe('confidential');
    expect(JSON.parse(utf8(w.node.openSync(old.envelope)))).toEqual({ addresses: [LISTED_V1] });
  });

  it('no grant → deny with NEWTON_ERR_PRIVACY_NO_GRANT (also while only proposed)', async () => {
    const none = await evaluate(CLEAN);
    expect(none.allow).toBe(false);
    expect(none.error?.code).toBe('NEWTON_ERR_PRIVACY_NO_GRANT');
    // Nothing proposed yet: the owner cannot accept.
    const early = grant(await w.authorize(w.clientOwner, 'AcceptGrant', acceptMessage()));
    expect(await codeOfAsync(w.store.acceptGrant(early))).toBe('NEWTON_ERR_PRIVACY_NO_GRANT');

    await w.store.proposeGrant(grant(await w.authorize(w.provider, 'ProposeGrant', grantMessage())));
    expect((await w.store.grants(POLICY_CLIENT)).map((g) => [g.domain, g.state, g.latest?.version])).toEqual([[BLACKLIST, 'pending', 2]]);
    const pending = await evaluate(CLEAN);
    expect(pending).toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_PRIVACY_NO_GRANT' } });
  });

  it('only the policy client owner accepts; then the latest version decides', async () => {
    const byProvider = grant(await w.authorize(w.provider, 'AcceptGrant', acceptMessage(w.provider.address)));
    expect(await codeOfAsync(w.store.acceptGrant(byProvider))).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    const byMallory = grant(await w.authorize(w.mallory, 'AcceptGrant', acceptMessage()));
    expect(await codeOfAsync(w.store.acceptGrant(byMallory))).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    expect((await w.store.grants(POLICY_CLIENT))[0]?.state).toBe('pending');

    const accepted = grant(await w.authorize(w.clientOwner, 'AcceptGrant', acceptMessage()));
    await w.store.acceptGrant(accepted);
    expect((await w.store.grants(POLICY_CLIENT))[0]?.state).toBe('active');
    // The same authorization again is a replay.
    expect(await codeOfAsync(w.store.acceptGrant(accepted))).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');

    const [clean, v1, v2] = await Promise.all([CLEAN, LISTED_V1, LISTED_V2].map(evaluate));
    expect(clean).toMatchObject({ allow: true });
    expect(clean?.error).toBeUndefined();
    expect(v1?.allow).toBe(false);
    expect(v2?.allow).toBe(false); // only in version 2: the latest version is read
    // Another policy client has no grant.
    const other = await evaluatePrivate(blacklist, { intent: intent(w.user.address) }, { ...w.task, policyClient: OTHER_CLIENT });
    expect(other.error?.code).toBe('NEWTON_ERR_PRIVACY_NO_GRANT');
  });

  it('refused publish / revoke (wrong signer, expired) change nothing', async () => {
    const nonce = await w.store.nonce(w.provider.address);
    const envelope = w.seal({ addresses: [] }, w.provider.address);
    const message = { provider: w.provider.address, domain: domainId(BLACKLIST), dataRefId: envelopeDataRefId(envelope) };
    const expired = await w.authorize(w.provider, 'PublishData', message, { deadline: Math.floor(Date.now() / 1000) - 1 });
    const byMallory = await w.authorize(w.mallory, 'PublishData', message);
    for (const authorization of [expired, byMallory]) {
      const attempt = w.store.publishConfidential({ provider: w.provider.address, domain: BLACKLIST, envelope, authorization });
      expect(await codeOfAsync(attempt)).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    }
    const revokeByOwner = grant(await w.authorize(w.clientOwner, 'RevokeGrant', grantMessage()));
    expect(await codeOfAsync(w.store.revokeGrant(revokeByOwner))).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    expect(await w.store.nonce(w.provider.address)).toBe(nonce);
    expect((await w.store.versions(w.provider.address, BLACKLIST)).length).toBe(2);
    expect((await w.store.grants(POLICY_CLIENT))[0]?.state).toBe('active');
    expect((await evaluate(CLEAN)).allow).toBe(true);
  });

  it('revoke → deny with NEWTON_ERR_PRIVACY_GRANT_REVOKED', async () => {
    await w.store.revokeGrant(grant(await w.authorize(w.provider, 'RevokeGrant', grantMessage())));
    expect((await w.store.grants(POLICY_CLIENT))[0]?.state).toBe('revoked');
    const revoked = await evaluate(CLEAN);
    expect(revoked).toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_PRIVACY_GRANT_REVOKED' } });
    expect((await evaluatePrivate(blacklist, { intent: intent(w.user.address) }, w.task)).error?.code).toBe('NEWTON_ERR_PRIVACY_GRANT_REVOKED');
  });
});

describe('private evaluation under concurrency', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let policy: Policy;

  beforeAll(async () => {
    w = await world('privacy-concurrency');
    const { store, owner, provider, clientOwner, authorize, seal } = w;
    await store.setPolicyClientOwner(POLICY_CLIENT, clientOwner.address);
    const identity = seal(kycFields, owner.address);
    const upload = { identityOwner: owner.address, identityDomain: domainId('kyc'), dataRefId: envelopeDataRefId(identity) };
    await store.uploadIdentity({ owner: owner.address, domain: 'kyc', envelope: identity, authorization: await authorize(owner, 'UploadIdentity', upload) });
    const l = { owner: owner.address, policyClient: POLICY_CLIENT, user: owner.address, domains: ['kyc'] };
    const linkMessage = { identityOwner: owner.address, policyClient: POLICY_CLIENT as Hex, clientUser: owner.address, identityDomains: [domainId('kyc')] };
    await store.linkIdentity(l, await authorize(owner, 'LinkIdentity', linkMessage));
    const list = seal({ addresses: [LISTED_V1] }, provider.address);
    const g = { provider: provider.address, domain: domainId(BLACKLIST), policyClient: POLICY_CLIENT as Hex };
    const publish = { provider: provider.address, domain: domainId(BLACKLIST), dataRefId: envelopeDataRefId(list) };
    await store.publishConfidential({ provider: provider.address, domain: BLACKLIST, envelope: list, authorization: await authorize(provider, 'PublishData', publish) });
    const args = { provider: provider.address, domain: BLACKLIST, policyClient: POLICY_CLIENT };
    await store.proposeGrant({ ...args, authorization: await authorize(provider, 'ProposeGrant', g) });
    await store.acceptGrant({ ...args, authorization: await authorize(clientOwner, 'AcceptGrant', { policyClientOwner: clientOwner.address, ...g }) });
    policy = compileOne(
      `package p
import rego.v1
out := {"n": data.privacy.n, "kyc": newton.identity.kyc.check_approved(), "listed": newton.confidential.blacklist.contains(input.to)}
`,
      undefined,
      'p.out',
    );
  });
  afterAll(() => fs.rmSync(w.dir, { recursive: true, force: true }));

  it('200 concurrent Policy.evaluate with privacy on one node agree, each seeing only its own data', async () => {
    const n = 200;
    const runs = Array.from({ length: n }, (_, i) => {
      const envelope = sealEnvelopeSync({ n: i }, bindTo(POLICY_CLIENT, CHAIN, w.node.publicKey));
      const to = i % 2 === 0 ? LISTED_V1 : CLEAN;
      const wasmArgs = { _newton: { privacy: [envelope] } };
      return evaluatePrivate(policy, { intent: intent(w.owner.address, to) }, { ...w.task, wasmArgs });
    });
    const decisions: Decision[] = await Promise.all(runs);
    decisions.forEach((d, i) => {
      expect(d.error).toBeUndefined();
      expect(d.result).toEqual({ n: i, kyc: true, listed: i % 2 === 0 });
    });
  });
});
