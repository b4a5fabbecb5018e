// The gateway's operator network with honest operators: four in-process operators (real
// TaskEvaluators, BLS keys, aggregation) take the quickstart-style example from announcement to a
// certificate the registry verifies and an attestation the validator accepts; progress events in
// order; content checked by hash on deploy; concurrent tasks.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttestationValidator,
  attestationBundle,
  blsVerify,
  consensusDigest,
  hexToBytes,
  verifyCertificate,
  type Hex,
} from '../bindings/dist/index.js';
import { MemoryContentSource, NETWORK_DEFAULTS, createInProcessOperators, operatorId, type PolicyAnnouncement, type RespondedOutcome } from '../server/dist/network/index.js';
import { CLIENT, POLICY_ID, network, quickstartAnnouncement, quickstartTask, recorder, signer, type Built } from './fixtures/gateway-network/network.js';
import { makeTempDir, utf8Hex } from './helpers/newton.js';
import { keccak256 } from 'viem';

const dir = makeTempDir('gateway-network');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let built: Built;
let announcement: PolicyAnnouncement;
beforeAll(async () => {
  built = await network();
  announcement = await quickstartAnnouncement(built.content);
  expect(await built.network.deploy(announcement)).toEqual([]);
});

const responded = (outcome: unknown) => {
  expect(outcome).toMatchObject({ status: 'responded' });
  return outcome as RespondedOutcome;
};

describe('OperatorNetwork with four honest operators', () => {
  it('certifies the allow of the quickstart example; the certificate, every signature and the attestation verify', async () => {
    const task = quickstartTask(1);
    const outcome = responded(await built.network.run(task));
    expect(outcome.decision.allow).toBe(true);
    expect(outcome.operator_errors).toEqual([]);
    expect(outcome.digest).toBe(consensusDigest(outcome.task_response));
    expect(outcome.certificate.message).toBe(outcome.digest);
    expect(outcome.certificate.threshold).toBe(67);
    expect(outcome.certificate.signers.length).toBeGreaterThanOrEqual(3);
    await verifyCertificate(built.registry, outcome.certificate);

    const byId = new Map(built.operators.map((op) => [op.identity.operatorId, op.identity]));
    expect(outcome.signatures.map((s) => s.operator_id)).toEqual(outcome.certificate.signers);
    for (const s of outcome.signatures) {
      expect(s.operator_address).toBe(byId.get(s.operator_id)!.operatorAddress);
      expect(await blsVerify(hexToBytes(byId.get(s.operator_id)!.publicKey), hexToBytes(outcome.digest), hexToBytes(s.signature))).toBe(true);
    }

    const expiration = task.taskCreatedBlock + 60;
    const bundle = attestationBundle(task, outcome.task_response, outcome.certificate, expiration);
    const validator = new AttestationValidator(built.registry, path.join(dir, 'spent.db'));
    const context = { policyId: POLICY_ID, chainId: 11_155_111, caller: task.intent.from, currentBlock: task.taskCreatedBlock + 5 };
    expect((await validator.validate(bundle, context)).valid).toBe(true);
    expect((await validator.validate(bundle, context)).valid).toBe(false); // spent
  });

  it('certifies a deny as a response whose evaluation result is all zeros', async () => {
    const strict = { ...announcement, policyClient: `0x${'c3'.repeat(20)}` as Hex, deployment: {
      ...announcement.deployment,
      policyConfig: { ...announcement.deployment.policyConfig, policyParams: utf8Hex('{"check_kyc":true,"check_ofac":true,"check_fraud":true,"max_risk_score":1}') as Hex },
    } };
    expect(await built.network.deploy(strict)).toEqual([]);
    const outcome = responded(await built.network.run({ ...quickstartTask(8), policyClient: strict.policyClient }));
    expect(outcome.decision.allow).toBe(false);
    expect(outcome.task_response.evaluationResult).toBe(`0x${'0'.repeat(64)}`);
    await verifyCertificate(built.registry, outcome.certificate);
  });

  it('takes the quorum from the task, else 67 %', async () => {
    expect(responded(await built.network.run(quickstartTask(2, 100))).certificate.signers).toHaveLength(4);
    expect(responded(await built.network.run(quickstartTask(3, 0))).certificate.threshold).toBe(NETWORK_DEFAULTS.quorumThreshold);
    expect(responded(await built.network.run(quickstartTask(4, 25))).certificate.threshold).toBe(25);
  });

  it('emits created, each operator response, prepared, then aggregated, in the WebSocket shape', async () => {
    const { events, onEvent, names } = recorder();
    const outcome = await built.network.run(quickstartTask(5), { onEvent });
    const commits = names().filter((n) => n === 'operator_response:commit').length;
    expect(commits).toBeGreaterThanOrEqual(3);
    expect(names()).toEqual([
      'created',
      ...Array(4).fill('operator_response:prepare'),
      'prepared',
      ...Array(commits).fill('operator_response:commit'),
      'aggregated',
    ]);
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(['data', 'event', 'task_id', 'timestamp']);
      expect(Object.keys(event.data).sort()).toEqual(['operator_responses', 'progress', 'result', 'status']);
      expect(event.task_id).toBe(quickstartTask(5).taskId);
    }
    expect(events.map((e) => e.data.status)).toEqual([
      'created', ...Array(4).fill('preparing'), 'prepared', ...Array(commits).fill('committing'), 'responded',
    ]);
    expect(events.map((e) => e.timestamp)).toEqual(events.map((e) => e.timestamp).sort((a, b) => a - b));
    const last = events.at(-1)!;
    expect(last.data.result).toEqual(outcome);
    expect(events[0]!.data.progress).toEqual({ round: null, operators: 4, answered: 0, agreeing_stake_percent: 0, quorum_threshold: 67 });
    expect(last.data.progress).toMatchObject({ round: 'commit', operators: 4, answered: commits, quorum_threshold: 67 });
    expect(last.data.progress.agreeing_stake_percent).toBeGreaterThanOrEqual(75);
    const vote = last.data.operator_responses.at(-1)!;
    expect(vote).toMatchObject({ round: 'commit', status: 'ok', digest: outcome.status === 'responded' ? outcome.digest : '', allow: true });
    expect(events.slice(0, -1).every((e) => e.data.result === null)).toBe(true);
  });

  it('runs tasks concurrently', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => built.network.run(quickstartTask(100 + i))));
    expect(outcomes.map((o) => o.status)).toEqual(Array(20).fill('responded'));
    expect(new Set(outcomes.map((o) => (o as RespondedOutcome).digest)).size).toBe(20);
  });

  it('fails every operator on a client nobody was told to serve, as an outcome', async () => {
    const outcome = await built.network.run({ ...quickstartTask(6), policyClient: `0x${'99'.repeat(20)}` });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE' } });
    expect(outcome.operator_errors).toHaveLength(4);
    for (const e of outcome.operator_errors) {
      expect(e).toMatchObject({ error_code: 'NEWTON_ERR_INVALID_ARGUMENT', retryable: false });
      expect(e.message).toMatch(/^prepare: .*has no policy on this operator/);
    }
  });
});

describe('operator identities', () => {
  it('derives the id from keccak256 of the compressed key and registers key, proof and stake', () => {
    const identity = built.operators[0]!.identity;
    expect(identity.operatorId).toBe(keccak256(signer(1).publicKey));
    expect(identity.operatorId).toBe(operatorId(signer(1).publicKey));
    expect(identity.operatorAddress).toBe(`0x${identity.operatorId.slice(-40)}`);
    expect(identity.stake).toEqual({ 0: '1000' });
    const entries = JSON.parse(built.registry.toJson()) as Array<{ operator_id: string }>;
    expect(entries.find((e) => e.operator_id === identity.operatorId)).toMatchObject({ public_key: identity.publicKey, stake: { 0: '1000' } });
    expect(built.registry.totalStake(0)).toBe(4000n);
  });
});

describe('deploy', () => {
  it('refuses content that does not hash to its id, or a policy whose code hash is not the announced one', async () => {
    const { network: net, content } = await network({ count: 2 });
    const good = await quickstartAnnouncement(content);
    const lying = { get: async (cid: string) => (cid === good.deployment.policyCid ? new TextEncoder().encode('package evil\nallow := true\n') : content.get(cid)) };
    const [liar] = (await createInProcessOperators({ content: lying, signers: [signer(9)] })).operators;
    await expect(liar!.deploy(good)).rejects.toThrow(/content fetched for .* hashes to/);

    const wrongHash = { ...good, policyCodeHash: `0x${'00'.repeat(32)}` as Hex };
    const errors = await net.deploy(wrongHash);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ error_code: 'NEWTON_ERR_INVALID_ARGUMENT', retryable: false });
    expect(errors[0]!.message).toMatch(/^deploy: policy .* has code hash/);
    expect(await net.deploy(good)).toEqual([]); // a failed load is retried
    expect(responded(await net.run(quickstartTask(7, 100))).decision.allow).toBe(true);
  });

  it('refuses content it cannot find, and one policy served under two entrypoints', async () => {
    const { network: net, content } = await network({ count: 1 });
    const good = await quickstartAnnouncement(content);
    const missing = { ...good, deployment: { ...good.deployment, policyData: [{ ...good.deployment.policyData![0]!, wasmCid: new MemoryContentSource().put('x') }] } };
    expect((await net.deploy(missing))[0]!.message).toMatch(/no content with id/);
    expect(await net.deploy(good)).toEqual([]);
    const other = { ...good, policyClient: `0x${'c2'.repeat(20)}` as Hex, entrypoint: 'quickstart_style.deny' };
    expect((await net.deploy(other))[0]!.message).toMatch(/already served with entrypoint/);
    expect(CLIENT).not.toBe(other.policyClient);
  });
});
