// The attestation API: the operator registry (proofs of possession), the aggregator (quorum,
// bad signatures), certificates, and the validator (one code per check, single use under
// concurrency, across validators sharing one SQLite file).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Aggregator,
  AttestationValidator,
  checkAttestation,
  NewtonError,
  OperatorRegistry,
  blsAggregatePublicKeysSync,
  blsFastAggregateVerifySync,
  hexToBytes,
  consensusDigest,
  verifyCertificate,
  verifyCertificateSync,
  type AttestationBundle,
  type CheckName,
  type ErrorCode,
  type ValidationContext,
  type ValidationReport,
} from '../bindings/dist/index.js';
import { EXPIRATION, Operator, bundle, context, operators, response, task } from './helpers/attestation.js';
import { codeOf, makeTempDir, thrown } from './helpers/newton.js';

const dir = makeTempDir('attestation');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let dbCount = 0;
const freshDb = () => path.join(dir, `spent-${dbCount++}.db`);


const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => (expect(err).toBeInstanceOf(NewtonError), err as NewtonError),
  );

/** −P for a compressed point: the same x with the y-sign flag flipped. */
const negate = (point: Uint8Array) => Uint8Array.from(point, (b, i) => (i === 0 ? b ^ 0x20 : b));

describe('OperatorRegistry', () => {
  it('admits operators with valid proofs and totals their stake per quorum', async () => {
    const { registry, ops } = operators([1000, 2000, 3000]);
    expect(registry.size).toBe(3);
    expect(registry.totalStake(0)).toBe(6000n);
    expect(registry.totalStake(1)).toBe(0n);
    registry.register(new Operator(9).entry(500, 1));
    expect(registry.totalStake(1)).toBe(500n);

    const reloaded = await OperatorRegistry.fromJson(registry.toJson());
    expect(reloaded.size).toBe(4);
    expect(JSON.parse(reloaded.toJson())).toEqual(JSON.parse(registry.toJson()));
    expect(codeOf(() => registry.register(ops[0]!.entry(1)))).toBe('NEWTON_ERR_INVALID_ARGUMENT'); // id taken
  });

  it('rejects a rogue key that fools FastAggregateVerify, whatever proof the attacker offers', () => {
    const { registry, ops } = operators([1000, 1000]);
    const [victim, attacker] = [ops[0]!, new Operator(7)];
    // pk_r = pk_attacker − pk_victim: the attacker's signature alone passes as "victim and pk_r".
    const rogueKey = blsAggregatePublicKeysSync([attacker.signer.publicKey, negate(victim.signer.publicKey)]);
    const digest = consensusDigest(response());
    const forged = hexToBytes(attacker.sign(digest));
    expect(blsFastAggregateVerifySync([victim.signer.publicKey, rogueKey], hexToBytes(digest), forged)).toBe(true);
    const rogue = { operator_id: `0x${'ee'.repeat(32)}`, public_key: rogueKey, stake: { 0: 1_000_000 } } as const;
    for (const proof of [attacker.signer.proofOfPossession(), victim.signer.proofOfPossession()]) {
      expect(codeOf(() => registry.register({ ...rogue, proof_of_possession: proof }))).toBe('NEWTON_ERR_BLS_POP_INVALID');
    }
    expect(registry.size).toBe(2);
    expect(registry.totalStake(0)).toBe(2000n);

    const file = [attacker.entry(1000), { ...rogue, proof_of_possession: attacker.signer.proofOfPossession() }];
    const err = thrown(() => OperatorRegistry.fromJsonSync(file)) as NewtonError;
    expect(err.code).toBe('NEWTON_ERR_BLS_POP_INVALID');
    expect(err.message).toContain('operator set entry 1');
  });

  it('rejects malformed operator files', async () => {
    expect(codeOf(() => OperatorRegistry.fromJsonSync('{not json'))).toBe('NEWTON_ERR_INVALID_JSON');
    expect((await rejection(OperatorRegistry.fromJson('[{"operator_id": "0x01"}]'))).code).toBe('NEWTON_ERR_INVALID_JSON');
  });

  it('is a snapshot for aggregators created before a later registration', () => {
    const { registry, ops } = operators([100, 100]);
    const aggregator = Aggregator.forMessage(registry, consensusDigest(response()), [0], 40);
    registry.register(new Operator(20).entry(10_000));
    const certificate = aggregator.aggregateSync([{ operatorId: ops[0]!.id, signature: ops[0]!.sign(aggregator.message) }]);
    expect(certificate.total_stake).toEqual({ 0: '200' });
  });
});

describe('Aggregator', () => {
  const { registry, ops } = operators(Array(21).fill(100));
  const digest = consensusDigest(response());

  it('returns the certificate from add() exactly when the quorum is reached', async () => {
    const aggregator = Aggregator.forMessage(registry, digest, [0], 40); // 40% of 2100 = 840: 9 signers
    for (const op of ops.slice(0, 8)) expect(aggregator.add(op.id, op.sign(digest))).toBeNull();
    const certificate = await aggregator.addAsync(ops[8]!.id, ops[8]!.sign(digest));
    expect(certificate).not.toBeNull();
    expect(certificate!.signers).toHaveLength(9);
    expect(certificate!.non_signers).toHaveLength(12);
    expect(certificate!.signed_stake).toEqual({ 0: '900' });
    expect(certificate!.message).toBe(digest);
    verifyCertificateSync(registry, certificate!);
    expect(aggregator.add(ops[9]!.id, ops[9]!.sign(digest))).toBeNull(); // issued once
    expect((await aggregator.aggregate()).signers).toHaveLength(10); // certifying again includes it
  });

  it('excludes a bad signature among good ones and reports it', async () => {
    const signatures = ops.map((op) => ({ operatorId: op.id, signature: op.sign(digest) }));
    signatures[10]!.signature = ops[10]!.sign(consensusDigest(response(false))); // well-formed, other message
    const aggregator = Aggregator.forMessage(registry, digest, [0]);
    const certificate = await aggregator.aggregate(signatures);
    expect(certificate.signers).toHaveLength(20);
    expect(certificate.non_signers).toEqual([ops[10]!.id]);
    expect(aggregator.rejected()).toEqual([expect.objectContaining({ operator_id: ops[10]!.id, code: 'NEWTON_ERR_SIGNATURE_INVALID' })]);
    await verifyCertificate(registry, certificate);
  });

  it('refuses unknown operators, repeats and malformed bytes, recording each', () => {
    const aggregator = Aggregator.forMessage(registry, digest, [0]);
    const stranger = new Operator(99);
    expect(codeOf(() => aggregator.add(stranger.id, stranger.sign(digest)))).toBe('NEWTON_ERR_OPERATOR_UNKNOWN');
    aggregator.add(ops[0]!.id, ops[0]!.sign(digest));
    expect(codeOf(() => aggregator.add(ops[0]!.id, ops[0]!.sign(digest)))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(codeOf(() => aggregator.add(ops[1]!.id, new Uint8Array(96)))).toBe('NEWTON_ERR_BLS_BAD_ENCODING');
    expect(codeOf(() => aggregator.add('0x1234', ops[1]!.sign(digest)))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(aggregator.rejected().map((r) => r.code)).toEqual([
      'NEWTON_ERR_OPERATOR_UNKNOWN',
      'NEWTON_ERR_INVALID_ARGUMENT',
      'NEWTON_ERR_BLS_BAD_ENCODING',
    ]);
    expect(codeOf(() => aggregator.aggregateSync())).toBe('NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE');
  });

  it('signs a task response: forTask takes the consensus digest, quorums and threshold of the task', () => {
    const aggregator = Aggregator.forTask(registry, task(), JSON.stringify(response()));
    expect(aggregator.message).toBe(digest);
    expect(consensusDigest(response(true, 61))).not.toBe(digest);
    const half = ops.slice(0, 8).map((op) => ({ operatorId: op.id, signature: op.sign(digest) }));
    const err = thrown(() => aggregator.aggregateSync(half)) as NewtonError;
    expect(err.code).toBe('NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE');
    expect(err.details).toMatchObject({ quorum_number: 0, signed_stake: '800', total_stake: '2100', threshold: 40 });
    expect(codeOf(() => Aggregator.forTask(registry, { ...task(), quorumThresholdPercentage: 101 }, response()))).toBe(
      'NEWTON_ERR_INVALID_ARGUMENT',
    );
    expect(codeOf(() => Aggregator.forTask(registry, '{}', response()))).toBe('NEWTON_ERR_INVALID_JSON');
  });

  it('verifyCertificate rejects a forged signer list and a certificate below its threshold', async () => {
    const certificate = Aggregator.forMessage(registry, digest, [0], 0).aggregateSync(
      ops.slice(0, 3).map((op) => ({ operatorId: op.id, signature: op.sign(digest) })),
    );
    verifyCertificateSync(registry, { ...certificate, threshold: 14 }); // 300 of 2100 ≥ 14%
    const forged = { ...certificate, signers: [...certificate.signers.slice(1), ops[5]!.id] };
    expect((await rejection(verifyCertificate(registry, forged))).code).toBe('NEWTON_ERR_SIGNATURE_INVALID');
    expect(codeOf(() => verifyCertificateSync(registry, { ...certificate, threshold: 15 }))).toBe(
      'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE',
    );
  });
});

describe('AttestationValidator', () => {
  const { registry, ops } = operators([1000, 1000, 1000, 1000]);
  const valid = bundle(registry, ops.slice(0, 3));
  const validator = () => new AttestationValidator(registry, freshDb());

  /** The failed checks' names and codes, asserting the spend was skipped when another failed. */
  function failures(report: ValidationReport): [CheckName, ErrorCode | undefined][] {
    const failed = report.checks.filter((c) => c.status === 'failed').map((c) => [c.check, c.code] as [CheckName, ErrorCode]);
    expect(report.valid).toBe(failed.length === 0);
    if (failed.length > 0 && failed[0]![0] !== 'single_use') expect(report.checks.at(-1)).toEqual({ check: 'single_use', status: 'skipped' });
    return failed;
  }

  it('passes a valid bundle through every check in order, once', async () => {
    const v = validator();
    const report = await v.validate(valid, context());
    expect(report.valid).toBe(true);
    expect(report.checks).toEqual(
      ['policy_id', 'intent_sender', 'chain_id', 'expiration', 'attestation_hash', 'signature', 'quorum_stake', 'evaluation_result', 'single_use'].map(
        (check) => ({ check, status: 'passed' }),
      ),
    );
    expect(failures(v.validateSync(JSON.stringify(valid), context()))).toEqual([['single_use', 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT']]);
  });

  const cases: [string, CheckName, ErrorCode, () => AttestationBundle, Partial<ValidationContext>][] = [
    ['another policy id', 'policy_id', 'NEWTON_ERR_POLICY_ID_MISMATCH', () => valid, { policyId: `0x${'01'.repeat(32)}` }],
    ['another caller', 'intent_sender', 'NEWTON_ERR_INTENT_SENDER_MISMATCH', () => valid, { caller: `0x${'42'.repeat(20)}` }],
    ['another chain', 'chain_id', 'NEWTON_ERR_CHAIN_ID_MISMATCH', () => valid, { chainId: 1n }],
    ['the expiration block', 'expiration', 'NEWTON_ERR_ATTESTATION_EXPIRED', () => valid, { currentBlock: EXPIRATION }],
    ['a wrong attestation hash', 'attestation_hash', 'NEWTON_ERR_ATTESTATION_HASH_MISMATCH', () => ({ ...valid, attestation_hash: `0x${'ab'.repeat(32)}` }), {}],
    [
      'a certificate over another response',
      'signature',
      'NEWTON_ERR_SIGNATURE_INVALID',
      () => ({ ...valid, certificate: bundle(registry, ops.slice(0, 3), response(true, 61)).certificate }),
      {},
    ],
    ['one signer of four', 'quorum_stake', 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE', () => bundle(registry, ops.slice(0, 1)), {}],
    ['a denied task', 'evaluation_result', 'NEWTON_ERR_POLICY_DENIED', () => bundle(registry, ops.slice(0, 3), response(false)), {}],
  ];

  it.each(cases)('fails %s with its own code and spends nothing', async (_, check, code, make, ctx) => {
    const v = validator();
    const b = make();
    expect(failures(await v.validate(b, context(ctx)))).toEqual([[check, code]]);
    expect(failures(v.validateSync(b, context(ctx)))).toEqual([[check, code]]); // still not spent
  });

  it('is valid up to the block before expiration (expiry is exclusive)', () => {
    expect(validator().validateSync(valid, context({ currentBlock: EXPIRATION - 1 })).valid).toBe(true);
    expect(failures(validator().validateSync(valid, context({ currentBlock: BigInt(EXPIRATION) })))).toEqual([
      ['expiration', 'NEWTON_ERR_ATTESTATION_EXPIRED'],
    ]);
  });

  it('reports every failing check, not only the first', () => {
    const report = validator().validateSync(valid, context({ chainId: 5, caller: `0x${'42'.repeat(20)}` }));
    expect(failures(report).map(([check]) => check)).toEqual(['intent_sender', 'chain_id']);
    expect(report.checks[1]!.message).toContain('is not the caller');
  });

  it('throws on malformed input and an unusable store', async () => {
    const v = validator();
    expect(codeOf(() => v.validateSync('{}', context()))).toBe('NEWTON_ERR_INVALID_JSON');
    expect((await rejection(v.validate(valid, context({ currentBlock: -1 })))).code).toBe('NEWTON_ERR_INVALID_JSON');
    expect(codeOf(() => v.validateSync(valid, context({ currentBlock: 1.5 })))).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect(codeOf(() => new AttestationValidator(registry, path.join(dir, 'missing', 'spent.db')))).toBe('NEWTON_ERR_STORE');
  });

  it('lets exactly one of 100 concurrent validations of one bundle through', async () => {
    const v = validator();
    const json = JSON.stringify(valid);
    const reports = await Promise.all(Array.from({ length: 100 }, () => v.validate(json, context())));
    expect(reports.filter((r) => r.valid)).toHaveLength(1);
    for (const r of reports.filter((r) => !r.valid)) expect(failures(r)).toEqual([['single_use', 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT']]);
  });

  it('checkAttestation runs every check but the spend, which it leaves to the caller', async () => {
    const checked = await checkAttestation(registry, valid, context());
    expect(checked.valid).toBe(false);
    expect(checked.checks.slice(0, -1).every((c) => c.status === 'passed')).toBe(true);
    expect(checked.checks.at(-1)).toEqual({ check: 'single_use', status: 'skipped' });
    expect((await checkAttestation(registry, valid, context())).checks).toEqual(checked.checks); // nothing was spent
    expect(validator().validateSync(valid, context()).valid).toBe(true);
    for (const [, check, code, make, ctx] of cases) expect(failures(await checkAttestation(registry, make(), context(ctx)))).toEqual([[check, code]]);
    expect((await rejection(checkAttestation(registry, '{}', context()))).code).toBe('NEWTON_ERR_INVALID_JSON');
  });

  it('lets exactly one of two validators sharing one database file win', async () => {
    const db = freshDb();
    const [a, b] = [new AttestationValidator(registry, db), new AttestationValidator(registry, db)];
    const reports = await Promise.all([...Array(10)].map((_, i) => (i % 2 ? a : b).validate(valid, context())));
    expect(reports.filter((r) => r.valid)).toHaveLength(1);
    expect(failures(a.validateSync(valid, context()))).toEqual([['single_use', 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT']]);
    expect(failures(b.validateSync(valid, context()))).toEqual([['single_use', 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT']]);
  });
});
