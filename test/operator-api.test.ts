// The operator through the TS API: prepare → consensus → commit on two operators, signatures that
// verify, evaluateAndSign, consensus failures, and the network's ids against independent viem
// encodings. Result shapes are checked key for key against what Rust returns.
import { describe, expect, it } from 'vitest';
import { encodeAbiParameters, keccak256, type Hex } from 'viem';
import {
  BlsSigner,
  PolicyDataHost,
  TaskEvaluator,
  blsVerifySync,
  consensusDigest,
  hexToBytes,
  operatorConsensus,
  attestationHash,
  policyId,
  taskHash,
  taskId,
  taskResponseHash,
  type PolicyDeployment,
} from '../bindings/dist/index.js';
import { task as baseTask } from './helpers/attestation.js';
import { rejection, utf8Hex } from './helpers/newton.js';
import * as wat from './helpers/policy-data-wat.js';

const REGO = 'package p\nimport rego.v1\ndefault allow := false\nallow if data.wasm.price < data.params.max\n';
const CLIENT = task().policyClient as Hex;
const ORACLE: Hex = '0x00000000000000000000000000000000000000d1';
const host = new PolicyDataHost();

/** The helpers' task with whole `transfer(address,uint256)` arguments, so policies see the intent. */
function task() {
  const t = baseTask();
  const args = encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [`0x${'0d'.repeat(20)}`, 5n]);
  return { ...t, intent: { ...t.intent, data: `0xa9059cbb${args.slice(2)}` as Hex } };
}

async function operator(seed: number, price: number): Promise<TaskEvaluator> {
  const signer = BlsSigner.fromSecretKey(new Uint8Array(32).fill(seed));
  const op = new TaskEvaluator({ signer, host });
  const deployment: PolicyDeployment = {
    policyId: `0x${'5a'.repeat(32)}`,
    policyAddress: `0x${'0b'.repeat(20)}`,
    policyCid: await op.addPolicy(REGO, 'p.allow'),
    policyConfig: { policyParams: utf8Hex('{"max":100}') as Hex, expireAfter: 60 },
    policyData: [{ address: ORACLE, wasmCid: await op.addPolicyData(await wat.returning(`{"price":${price}}`)), expireAfter: 10 }],
  };
  await op.setPolicy(CLIENT, deployment);
  return op;
}

describe('TaskEvaluator', () => {
  it('runs both rounds on two operators to the same digest, each signature verifying', async () => {
    const [a, b] = [await operator(1, 42), await operator(2, 42)];
    const prepared = [await a.prepare(task()), await b.prepare(task())];
    expect(Object.keys(prepared[0]!).sort()).toEqual(['policy_data', 'task_id']);
    expect(Object.keys(prepared[0]!.policy_data[0]!).sort()).toEqual(['data', 'digest', 'policy_data_address']);
    expect(prepared[0]).toEqual(prepared[1]);
    expect(prepared[0]!.policy_data[0]!.data).toEqual({ price: 42 });

    const agreed = operatorConsensus(prepared);
    const [sa, sb] = [await a.commit(task(), agreed), await b.commit(task(), agreed)];
    expect(Object.keys(sa).sort()).toEqual(['decision', 'digest', 'public_key', 'signature', 'task_response']);
    expect(sa.decision.allow).toBe(true);
    expect(sa.digest).toBe(sb.digest);
    expect(sa.digest).toBe(consensusDigest(JSON.stringify(sa.task_response)));
    expect(sa.public_key).toBe(a.publicKey);
    for (const s of [sa, sb]) {
      // Uncompressed G2: the gateway's aggregator decodes it without a square root.
      expect(hexToBytes(s.signature)).toHaveLength(192);
      expect(blsVerifySync(hexToBytes(s.public_key), hexToBytes(s.digest), hexToBytes(s.signature))).toBe(true);
    }
    expect(blsVerifySync(hexToBytes(sb.public_key), hexToBytes(sa.digest), hexToBytes(sa.signature))).toBe(false);
    expect((await a.evaluateAndSign(task())).digest).toBe(sa.digest);
  });

  it('denies as a value when the data says so, and signs the deny', async () => {
    const signed = await (await operator(3, 500)).evaluateAndSign(task());
    expect(signed.decision.allow).toBe(false);
    expect(signed.task_response.evaluationResult).toBe(`0x${'0'.repeat(64)}`);
  });

  it('fails consensus beyond the tolerance, naming the path', async () => {
    const [a, b] = [await operator(4, 42), await operator(5, 60)];
    const err = await rejection(Promise.resolve().then(async () => operatorConsensus([await a.prepare(task()), await b.prepare(task())])));
    expect(err.code).toBe('NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED');
    expect(err.message).toContain('price');
    expect(operatorConsensus([await a.prepare(task()), await b.prepare(task())], 0.5).policy_data[0]!.data).toEqual({ price: 42 });
  });

  it('rejects tasks for unknown clients and malformed JSON with codes', async () => {
    const op = await operator(6, 1);
    expect((await rejection(op.prepare({ ...task(), policyClient: `0x${'99'.repeat(20)}` }))).code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    expect((await rejection(op.prepare('{'))).code).toBe('NEWTON_ERR_INVALID_JSON');
    expect((await rejection(op.commit(task(), '{"task_id": 1}'))).code).toBe('NEWTON_ERR_INVALID_JSON');
    expect((await rejection(op.setPolicy(CLIENT, { policyCid: 'nope' } as unknown as PolicyDeployment))).code).toBe('NEWTON_ERR_INVALID_JSON');
  });
});

describe('ids', () => {
  const t = task();
  const intentType = {
    type: 'tuple',
    components: [
      { name: 'from', type: 'address' }, { name: 'to', type: 'address' }, { name: 'value', type: 'uint256' },
      { name: 'data', type: 'bytes' }, { name: 'chainId', type: 'uint256' }, { name: 'functionSignature', type: 'bytes' },
    ],
  } as const;
  const intent = {
    from: t.intent.from as Hex, to: t.intent.to as Hex, value: BigInt(t.intent.value), data: t.intent.data as Hex,
    chainId: BigInt(t.intent.chainId), functionSignature: t.intent.functionSignature as Hex,
  };

  it('taskId and taskHash match viem encodings', () => {
    const expected = keccak256(encodeAbiParameters(
      [{ type: 'address' }, intentType, { type: 'uint256' }, { type: 'uint256' }],
      [CLIENT, intent, 1700000000n, 7n],
    ));
    expect(taskId(CLIENT, t.intent, '1700000000', 7)).toBe(expected);
    const hash = keccak256(encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint32' }, intentType, { type: 'bytes' }, { type: 'address' }, { type: 'bytes' }, { type: 'bytes' }, { type: 'uint32' }, { type: 'uint256' }],
      [t.taskId as Hex, t.taskCreatedBlock, intent, t.intentSignature as Hex, CLIENT, t.wasmArgs as Hex, t.quorumNumbers as Hex, t.quorumThresholdPercentage, 1700000000n],
    ));
    expect(taskHash(t)).toBe(hash);
  });

  it('policyId, taskResponseHash and attestationHash match viem encodings', () => {
    const config = { policyParams: utf8Hex('{}') as Hex, expireAfter: 60 };
    const info = {
      policyId: `0x${'00'.repeat(32)}`, policyAddress: `0x${'0b'.repeat(20)}`, owner: `0x${'0c'.repeat(20)}`,
      policyCid: 'bafk', schemaCid: 'bafs', entrypoint: 'p.allow', policyConfig: config,
      policyData: [ORACLE], policyCodeHash: `0x${'ab'.repeat(32)}`, version: '1',
    };
    const configType = { type: 'tuple', components: [{ name: 'policyParams', type: 'bytes' }, { name: 'expireAfter', type: 'uint32' }] } as const;
    expect(policyId(CLIENT, info, 1234)).toBe(keccak256(encodeAbiParameters(
      [{ type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'string' }, { type: 'string' }, { type: 'string' }, configType, { type: 'address[]' }, { type: 'uint256' }, { type: 'string' }],
      [CLIENT, info.policyAddress as Hex, info.owner as Hex, 'bafk', 'bafs', 'p.allow', config, [ORACLE], 1234n, '1'],
    )));

    const attestation = { taskId: t.taskId, policyId: info.policyCodeHash, policyClient: CLIENT, expiration: 150, intent: t.intent, intentSignature: t.intentSignature };
    expect(attestationHash(attestation)).toBe(keccak256(encodeAbiParameters(
      [{ type: 'tuple', components: [
        { name: 'taskId', type: 'bytes32' }, { name: 'policyId', type: 'bytes32' }, { name: 'policyClient', type: 'address' },
        { name: 'expiration', type: 'uint32' }, { name: 'intent', ...intentType }, { name: 'intentSignature', type: 'bytes' },
      ] }],
      [{ taskId: t.taskId as Hex, policyId: info.policyCodeHash as Hex, policyClient: CLIENT, expiration: 150, intent, intentSignature: t.intentSignature as Hex }],
    )));
  });

  it('taskResponseHash binds the certificate', async () => {
    const signed = await (await operator(7, 1)).evaluateAndSign(task());
    const certificate = { referenceBlock: 99, responseExpireBlock: 160, hashOfNonSigners: `0x${'00'.repeat(32)}`, signatureData: '0x' };
    const h = taskResponseHash(signed.task_response, certificate);
    expect(h).toMatch(/^0x[0-9a-f]{64}$/);
    expect(taskResponseHash(signed.task_response, { ...certificate, referenceBlock: 100 })).not.toBe(h);
    expect(() => taskResponseHash(signed.task_response, {})).toThrow(/response certificate is not valid/);
  });
});
