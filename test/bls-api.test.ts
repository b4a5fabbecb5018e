// The BLS API beyond the upstream vectors: keystores, the signer, proofs of possession (and the
// rogue-key attack they stop), malformed input, fast-check properties, sync/async parity and
// async work staying off the event loop.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BlsSigner,
  NewtonError,
  blsAggregatePublicKeys,
  blsAggregatePublicKeysSync,
  blsAggregateSignatures,
  blsAggregateSignaturesSync,
  blsAggregateVerify,
  blsAggregateVerifySync,
  blsBatchVerify,
  blsBatchVerifySync,
  blsFastAggregateVerify,
  blsFastAggregateVerifySync,
  blsVerify,
  blsVerifyPossession,
  blsVerifyPossessionSync,
  blsVerifySync,
  bytesToHex,
  generateKeystore,
  generateKeystoreSync,
  hexToBytes,
  keystoreInfo,
  keystoreInfoSync,
  type ErrorCode,
  type Kdf,
} from '../bindings/dist/index.js';
import { codeOf, codeOfAsync } from './helpers/newton.js';

const POP_DST = 'BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
const PASSWORD = 'correct horse battery staple';
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Secret key `i` (1 ≤ i < 0x73): 32 bytes of i, below the group order. */
const secret = (i: number) => new Uint8Array(32).fill(i);
const signers = Array.from({ length: 8 }, (_, i) => BlsSigner.fromSecretKey(secret(i + 1)));
const [alice, bob] = signers as [BlsSigner, BlsSigner];

/** −P for a compressed point: the same x with the y-sign flag (0x20) flipped. */
const negate = (point: Uint8Array) => Uint8Array.from(point, (b, i) => (i === 0 ? b ^ 0x20 : b));



// The EIP-2335 "PBKDF2 Test Vector" (the scrypt one differs only in its KDF; the crate tests both).
const EIP2335_PASSWORD = '𝔱𝔢𝔰𝔱𝔭𝔞𝔰𝔰𝔴𝔬𝔯𝔡🔑';
const EIP2335_SECRET = '0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';
const EIP2335_PUBKEY = '9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07';
const EIP2335_PBKDF2 = JSON.stringify({
  crypto: {
    kdf: {
      function: 'pbkdf2',
      params: { dklen: 32, c: 262144, prf: 'hmac-sha256', salt: 'd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3' },
      message: '',
    },
    checksum: { function: 'sha256', params: {}, message: '8a9f5d9912ed7e75ea794bc5a89bca5f193721d30868ade6f73043c6ea6febf1' },
    cipher: {
      function: 'aes-128-ctr',
      params: { iv: '264daa3f303d7259501c93d997d84fe6' },
      message: 'cee03fde2af33149775b7223e7845e4fb2c8ae1792e5f99fe9ecf474cc8c16ad',
    },
  },
  description: 'This is a test keystore that uses PBKDF2 to secure the secret.',
  pubkey: EIP2335_PUBKEY,
  path: 'm/12381/60/0/0',
  uuid: '64625def-3331-4eea-ab6f-782f3ed16a83',
  version: 4,
});

describe('keystores', () => {
  // The API exposes only EIP-2335's default costs: scrypt n = 2^18 takes ≈0.5–1 s per derivation.
  it('round-trips a fresh scrypt keystore off the event loop', { timeout: 60_000 }, async () => {
    const generated = await generateKeystore(PASSWORD);
    expect(Object.keys(generated).sort()).toEqual(['keystoreJson', 'proofOfPossession', 'publicKey']);
    const json = JSON.parse(generated.keystoreJson);
    expect(json).toMatchObject({ version: 4, path: '', pubkey: bytesToHex(generated.publicKey).slice(2) });
    expect(json.crypto.kdf).toMatchObject({ function: 'scrypt', params: { n: 262144, r: 8, p: 1, dklen: 32 } });

    const info = await keystoreInfo(generated.keystoreJson, PASSWORD);
    expect(info).toEqual({ publicKey: generated.publicKey, proofOfPossession: generated.proofOfPossession });
    const signer = await BlsSigner.fromKeystore(generated.keystoreJson, PASSWORD);
    expect(signer.publicKey).toEqual(generated.publicKey);
    expect(signer.proofOfPossession()).toEqual(generated.proofOfPossession);
    expect(blsVerifyPossessionSync(generated.publicKey, generated.proofOfPossession)).toBe(true);
    expect(blsVerifySync(signer.publicKey, utf8('m'), await signer.sign(utf8('m')))).toBe(true);
  });

  it('round-trips PBKDF2 keystores synchronously, a fresh key each time', () => {
    const a = generateKeystoreSync(PASSWORD, 'pbkdf2');
    const b = generateKeystoreSync(PASSWORD, 'pbkdf2');
    expect(JSON.parse(a.keystoreJson).crypto.kdf).toMatchObject({ function: 'pbkdf2', params: { c: 262144, prf: 'hmac-sha256' } });
    expect(a.publicKey).not.toEqual(b.publicKey);
    expect(keystoreInfoSync(a.keystoreJson, PASSWORD)).toEqual({ publicKey: a.publicKey, proofOfPossession: a.proofOfPossession });
    expect(BlsSigner.fromKeystoreSync(b.keystoreJson, PASSWORD).publicKey).toEqual(b.publicKey);
  });

  it('opens the official EIP-2335 vector with its Unicode password', async () => {
    const fromSecret = BlsSigner.fromSecretKey(hexToBytes(EIP2335_SECRET));
    const info = keystoreInfoSync(EIP2335_PBKDF2, EIP2335_PASSWORD);
    expect(bytesToHex(info.publicKey)).toBe(`0x${EIP2335_PUBKEY}`);
    expect(info.proofOfPossession).toEqual(fromSecret.proofOfPossession());
    const signer = await BlsSigner.fromKeystore(EIP2335_PBKDF2, EIP2335_PASSWORD);
    expect(signer.signSync(utf8('m'))).toEqual(fromSecret.signSync(utf8('m')));
  });

  it('rejects a wrong password with NEWTON_ERR_KEYSTORE_PASSWORD in every entry point', async () => {
    const { keystoreJson } = generateKeystoreSync(PASSWORD, 'pbkdf2');
    expect(codeOf(() => keystoreInfoSync(keystoreJson, 'wrong'))).toBe('NEWTON_ERR_KEYSTORE_PASSWORD');
    expect(codeOf(() => BlsSigner.fromKeystoreSync(keystoreJson, ''))).toBe('NEWTON_ERR_KEYSTORE_PASSWORD');
    expect(await codeOfAsync(keystoreInfo(keystoreJson, 'wrong'))).toBe('NEWTON_ERR_KEYSTORE_PASSWORD');
    expect(await codeOfAsync(BlsSigner.fromKeystore(keystoreJson, 'wrong'))).toBe('NEWTON_ERR_KEYSTORE_PASSWORD');
  });

  it('rejects malformed keystores and unknown KDFs', async () => {
    expect(codeOf(() => keystoreInfoSync('{}', PASSWORD))).toBe('NEWTON_ERR_KEYSTORE_INVALID');
    expect(codeOf(() => keystoreInfoSync(EIP2335_PBKDF2.replace('"version":4', '"version":3'), PASSWORD))).toBe(
      'NEWTON_ERR_KEYSTORE_INVALID',
    );
    expect(codeOf(() => generateKeystoreSync(PASSWORD, 'argon2' as Kdf))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(await codeOfAsync(generateKeystore(PASSWORD, 'argon2' as Kdf))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
  });
});

describe('BlsSigner and verification', () => {
  it('signs deterministically, sync and async alike, and verifies only the right key and message', async () => {
    const sig = alice.signSync(utf8('task 42'));
    expect(sig).toHaveLength(96);
    expect(alice.publicKey).toHaveLength(48);
    expect(await alice.sign(utf8('task 42'))).toEqual(sig);
    expect(blsVerifySync(alice.publicKey, utf8('task 42'), sig)).toBe(true);
    expect(await blsVerify(alice.publicKey, utf8('task 42'), sig)).toBe(true);
    expect(blsVerifySync(alice.publicKey, utf8('task 43'), sig)).toBe(false);
    expect(blsVerifySync(bob.publicKey, utf8('task 42'), sig)).toBe(false);
  });

  it('copies its input before going async, so the caller may reuse the buffer at once', async () => {
    const message = utf8('original');
    const pending = alice.sign(message);
    message.fill(0);
    expect(await pending).toEqual(alice.signSync(utf8('original')));
  });

  it('throws NewtonError codes for malformed bytes and arguments', () => {
    const sig = alice.signSync(utf8('m'));
    const infinityKey = Uint8Array.from({ length: 48 }, (_, i) => (i === 0 ? 0xc0 : 0));
    const cases: [string, () => unknown, ErrorCode][] = [
      ['zero secret key', () => BlsSigner.fromSecretKey(new Uint8Array(32)), 'NEWTON_ERR_BLS_KEY_INVALID'],
      ['secret key ≥ order', () => BlsSigner.fromSecretKey(new Uint8Array(32).fill(0xff)), 'NEWTON_ERR_BLS_KEY_INVALID'],
      ['31-byte secret key', () => BlsSigner.fromSecretKey(new Uint8Array(31).fill(1)), 'NEWTON_ERR_BLS_BAD_ENCODING'],
      ['short public key', () => blsVerifySync(alice.publicKey.subarray(1), utf8('m'), sig), 'NEWTON_ERR_BLS_BAD_ENCODING'],
      ['infinity public key', () => blsVerifySync(infinityKey, utf8('m'), sig), 'NEWTON_ERR_BLS_KEY_INVALID'],
      ['signature x ≥ p', () => blsVerifySync(alice.publicKey, utf8('m'), new Uint8Array(96).fill(0xff)), 'NEWTON_ERR_BLS_BAD_ENCODING'],
      ['short proof of possession', () => blsVerifyPossessionSync(alice.publicKey, sig.subarray(0, 95)), 'NEWTON_ERR_BLS_BAD_ENCODING'],
      ['no signatures', () => blsAggregateSignaturesSync([]), 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['keys summing to infinity', () => blsAggregatePublicKeysSync([alice.publicKey, negate(alice.publicKey)]), 'NEWTON_ERR_BLS_KEY_INVALID'],
      ['hex string for bytes', () => blsVerifySync(bytesToHex(alice.publicKey) as never, utf8('m'), sig), 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['odd hex', () => hexToBytes('0xabc'), 'NEWTON_ERR_INVALID_ARGUMENT'],
    ];
    for (const [name, fn, code] of cases) expect(codeOf(fn), name).toBe(code);
  });

  it('verifies nothing over empty, mismatched or repeated inputs (false, not an error)', () => {
    const sig = alice.signSync(utf8('m'));
    expect(blsFastAggregateVerifySync([], utf8('m'), sig)).toBe(false);
    expect(blsAggregateVerifySync([], [], sig)).toBe(false);
    expect(blsAggregateVerifySync([alice.publicKey], [], sig)).toBe(false);
    const both = blsAggregateSignaturesSync([sig, bob.signSync(utf8('m'))]);
    expect(blsAggregateVerifySync([alice.publicKey, bob.publicKey], [utf8('m'), utf8('m')], both)).toBe(false);
    expect(blsFastAggregateVerifySync([alice.publicKey, bob.publicKey], utf8('m'), both)).toBe(true);
    expect(blsBatchVerifySync([])).toBe(false);
  });
});

describe('proof of possession', () => {
  it('verifies for its own key only, and is not a plain signature of the key', async () => {
    const pop = alice.proofOfPossession();
    expect(blsVerifyPossessionSync(alice.publicKey, pop)).toBe(true);
    expect(await blsVerifyPossession(alice.publicKey, pop)).toBe(true);
    expect(blsVerifyPossessionSync(bob.publicKey, pop)).toBe(false);
    expect(blsVerifyPossessionSync(alice.publicKey, alice.signSync(alice.publicKey))).toBe(false);
    expect(blsVerifySync(alice.publicKey, alice.publicKey, pop)).toBe(false);
    // The same PopProve as an independent implementation (noble, POP DST).
    const L = bls12_381.longSignatures;
    expect(L.sign(L.hash(alice.publicKey, POP_DST), secret(1)).toBytes()).toEqual(pop);
  });

  // tests/rogue_key.rs through the TS API: pk_r = g^x − pk_1 lets x alone pass as "pk_1 and pk_r",
  // but no proof of possession the attacker can make verifies for pk_r.
  it('rejects every PoP an attacker can make for a rogue key that fools FastAggregateVerify', () => {
    const x = signers[6] as BlsSigner;
    const pkR = blsAggregatePublicKeysSync([x.publicKey, negate(alice.publicKey)]);
    expect(blsAggregatePublicKeysSync([alice.publicKey, pkR])).toEqual(x.publicKey);
    const m = utf8('approve task 42');
    expect(blsFastAggregateVerifySync([alice.publicKey, pkR], m, x.signSync(m))).toBe(true);

    const L = bls12_381.longSignatures;
    const attempts = {
      'PoP of g^x': x.proofOfPossession(),
      'replayed honest PoP': alice.proofOfPossession(),
      'x signing pk_r under the PoP DST': L.sign(L.hash(pkR, POP_DST), secret(7)).toBytes(),
      'x signing pk_r under the signature DST': x.signSync(pkR),
    };
    for (const [name, pop] of Object.entries(attempts)) expect(blsVerifyPossessionSync(pkR, pop), name).toBe(false);
  });
});

describe('properties', () => {
  const pool = signers.map((s) => s.publicKey);

  it('fails verification when any byte of the message or signature is tampered with', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (msg, at, xor) => {
        const sig = alice.signSync(msg);
        const badMsg = Uint8Array.from(msg, (b, i) => (i === at % msg.length ? b ^ xor : b));
        expect(blsVerifySync(alice.publicKey, badMsg, sig)).toBe(false);
        const badSig = Uint8Array.from(sig, (b, i) => (i === at % 96 ? b ^ xor : b));
        try {
          expect(blsVerifySync(alice.publicKey, msg, badSig)).toBe(false);
        } catch (err) {
          expect((err as NewtonError).code).toBe('NEWTON_ERR_BLS_BAD_ENCODING');
        }
      }),
      { numRuns: 100 },
    );
  });

  it('aggregates any non-empty subset of signers on one message into a signature that subset verifies', () => {
    const indices = signers.map((_, i) => i);
    fc.assert(
      fc.property(fc.subarray(indices, { minLength: 1 }), fc.uint8Array({ maxLength: 32 }), (subset, msg) => {
        const agg = blsAggregateSignaturesSync(subset.map((i) => (signers[i] as BlsSigner).signSync(msg)));
        const pks = subset.map((i) => pool[i] as Uint8Array);
        expect(blsFastAggregateVerifySync(pks, msg, agg)).toBe(true);
        expect(blsVerifySync(blsAggregatePublicKeysSync(pks), msg, agg)).toBe(true);
        const outsider = indices.find((i) => !subset.includes(i));
        if (outsider !== undefined) expect(blsFastAggregateVerifySync([...pks, pool[outsider] as Uint8Array], msg, agg)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('aggregate- and batch-verifies any subset signing distinct messages, and catches a swapped pair', () => {
    const indices = signers.map((_, i) => i);
    fc.assert(
      fc.property(fc.subarray(indices, { minLength: 1 }), fc.string(), (subset, salt) => {
        const msgs = subset.map((i) => utf8(`${salt}/${i}`));
        const sigs = subset.map((i, k) => (signers[i] as BlsSigner).signSync(msgs[k] as Uint8Array));
        const pks = subset.map((i) => pool[i] as Uint8Array);
        expect(blsAggregateVerifySync(pks, msgs, blsAggregateSignaturesSync(sigs))).toBe(true);
        const items = pks.map((publicKey, k) => ({ publicKey, message: msgs[k] as Uint8Array, signature: sigs[k] as Uint8Array }));
        expect(blsBatchVerifySync(items)).toBe(true);
        if (items.length > 1) {
          const [first, second] = items as [(typeof items)[0], (typeof items)[0]];
          const swapped = [{ ...first, signature: second.signature }, { ...second, signature: first.signature }, ...items.slice(2)];
          expect(blsBatchVerifySync(swapped)).toBe(false);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('sync and async', () => {
  it('agree on every operation', async () => {
    const m = utf8('m');
    const sigs = signers.map((s) => s.signSync(m));
    const pks = signers.map((s) => s.publicKey);
    const agg = blsAggregateSignaturesSync(sigs);
    const items = pks.map((publicKey, i) => ({ publicKey, message: m, signature: sigs[i] as Uint8Array }));
    const pairs: [unknown, Promise<unknown>][] = [
      [alice.signSync(m), alice.sign(m)],
      [blsVerifySync(alice.publicKey, m, sigs[1] as Uint8Array), blsVerify(alice.publicKey, m, sigs[1] as Uint8Array)],
      [blsVerifyPossessionSync(bob.publicKey, bob.proofOfPossession()), blsVerifyPossession(bob.publicKey, bob.proofOfPossession())],
      [agg, blsAggregateSignatures(sigs)],
      [blsAggregatePublicKeysSync(pks), blsAggregatePublicKeys(pks)],
      [blsFastAggregateVerifySync(pks, m, agg), blsFastAggregateVerify(pks, m, agg)],
      [blsAggregateVerifySync(pks, pks, agg), blsAggregateVerify(pks, pks, agg)],
      [blsBatchVerifySync(items), blsBatchVerify(items)],
    ];
    expect(await Promise.all(pairs.map(([, p]) => p))).toEqual(pairs.map(([s]) => s));
    expect(pairs.map(([s]) => s).filter((s) => typeof s === 'boolean')).toEqual([false, true, true, false, true]);
  });

  it('keeps the event loop free while async work runs on the pool', async () => {
    const sigs: Uint8Array[] = new Array(1000).fill(alice.signSync(utf8('m'))); // ≈65 ms to parse
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const agg = await blsAggregateSignatures(sigs);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
    expect(agg).toEqual(blsAggregateSignaturesSync(sigs));
  });
});
