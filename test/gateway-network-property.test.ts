// A property of the round engine, through real operators, BLS and aggregation: whatever subset
// of operators misbehaves (failing in either round, mis-signing, signing another evaluation,
// claiming a digest), as long as their stake is below the threshold a certificate is produced
// exactly when the honest stake meets it, it verifies, and it holds only honest signatures over
// the honest response. (Slow operators are in gateway-network-faults: timeouts here would make
// the property timing-dependent.)
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { consensusDigest, verifyCertificate, type NewtonTaskResponse } from '../bindings/dist/index.js';
import type { Transport } from '../server/dist/network/index.js';
import { faulty, network, quickstartAnnouncement, quickstartTask, signedBy, signer, type Built } from './fixtures/gateway-network/network.js';

const FAULTS = ['honest', 'throwPrepare', 'throwCommit', 'wrongKey', 'wrongEval', 'claimDigest'] as const;
type Fault = (typeof FAULTS)[number];

const boom = () => Promise.reject(new Error('down'));
const forger = signer(0x42);
let current: Fault[] = [];
let built: Built;

/** Operator `i` misbehaves as `current[i]` says. */
function wrap(op: Transport, i: number): Transport {
  const faults: Record<Exclude<Fault, 'honest'>, Transport> = {
    throwPrepare: faulty(op, { prepare: boom }),
    throwCommit: faulty(op, { commit: boom }),
    wrongKey: faulty(op, { commit: async (next, ...a) => { const s = await next(...a); return signedBy(forger, s.task_response as unknown as NewtonTaskResponse, s); } }),
    wrongEval: faulty(op, {
      commit: async (next, ...a) => {
        const s = await next(...a);
        return signedBy(signer(i + 1), { ...(s.task_response as unknown as NewtonTaskResponse), evaluationResult: `0x${'0'.repeat(64)}` }, s);
      },
    }),
    claimDigest: faulty(op, { commit: async (next, ...a) => ({ ...(await next(...a)), digest: `0x${'ab'.repeat(32)}` }) }),
  };
  const pick = () => (current[i] === 'honest' ? op : faults[current[i] as Exclude<Fault, 'honest'>]);
  return {
    identity: op.identity,
    deploy: (a, s) => op.deploy(a, s),
    prepare: (t, s) => pick().prepare(t, s),
    commit: (t, d, s) => pick().commit(t, d, s),
  };
}

beforeAll(async () => {
  built = await network({ wrap });
  current = ['honest', 'honest', 'honest', 'honest'];
  expect(await built.network.deploy(await quickstartAnnouncement(built.content))).toEqual([]);
});

let taskNumber = 0;

it('certifies exactly when the honest stake meets the threshold, and only honest signatures', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...FAULTS), { minLength: 4, maxLength: 4 }), fc.integer({ min: 26, max: 100 }), async (faults, threshold) => {
      const faultyStake = faults.filter((f) => f !== 'honest').length * 25;
      fc.pre(faultyStake < threshold);
      current = faults;
      const honestIds = built.operators.filter((_, i) => faults[i] === 'honest').map((op) => op.identity.operatorId);
      const outcome = await built.network.run(quickstartTask(10_000 + taskNumber++, threshold));
      expect(outcome.status).toBe(honestIds.length * 25 >= threshold ? 'responded' : 'failed');
      if (outcome.status !== 'responded') return;
      await verifyCertificate(built.registry, outcome.certificate);
      expect(honestIds).toEqual(expect.arrayContaining(outcome.certificate.signers));
      expect(outcome.decision.allow).toBe(true);
      expect(consensusDigest(outcome.task_response)).toBe(outcome.certificate.message);
    }),
    { numRuns: 100 },
  );
});
