// The attestation half of the tour: four operators sign the TaskResponse of an allowed intent,
// the aggregator certifies at quorum, and the validator accepts the attestation exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Aggregator,
  AttestationValidator,
  BlsSigner,
  OperatorRegistry,
  attestationBundle,
  bytesToHex,
  hexToBytes,
} from '../bindings/dist/index.js';

const hex = (text) => bytesToHex(new TextEncoder().encode(text));
const fill = (byte, n) => `0x${byte.repeat(n)}`;

export async function attestationTour({ intent, policy, evaluationResult }) {
  console.log('\n== attestation: 4 operators (stake 100 each), quorum 0 at 67%');
  const signers = [1, 2, 3, 4].map((seed) => BlsSigner.fromSecretKey(new Uint8Array(32).fill(seed)));
  const entries = signers.map((s, i) => ({
    operator_id: fill(`0${i + 1}`, 32),
    public_key: s.publicKey,
    proof_of_possession: s.proofOfPossession(),
    stake: { 0: '100' },
  }));
  const registry = await OperatorRegistry.fromJson(entries); // every proof of possession verified
  const { from, to, value, data } = intent;
  const onChainIntent = { from, to, value, data, chainId: intent.chain_id, functionSignature: intent.function_signature };
  const task = {
    taskId: fill('7a', 32), policyClient: fill('c1', 20), taskCreatedBlock: 90, quorumThresholdPercentage: 67,
    intent: onChainIntent, intentSignature: fill('11', 65), wasmArgs: '0x', quorumNumbers: '0x00',
    initializationTimestamp: '1700000000',
  };
  const policyId = fill('5a', 32);
  const response = {
    taskId: task.taskId, policyClient: task.policyClient, policyId, policyAddress: fill('aa', 20),
    intent: onChainIntent, intentSignature: task.intentSignature, evaluationResult,
    policyTaskData: { policyId, policyAddress: fill('aa', 20), policy: hex(policy), policyData: [] },
    policyConfig: { policyParams: hex('{}'), expireAfter: 60 }, initializationTimestamp: task.initializationTimestamp,
  };
  const aggregator = Aggregator.forTask(registry, task, response);
  let certificate = null;
  for (const [i, signer] of signers.entries()) {
    const signature = await signer.sign(hexToBytes(aggregator.message));
    const issued = aggregator.add(entries[i].operator_id, signature); // returned once, at quorum
    certificate ??= issued;
    console.log(`   operator ${i + 1} signed${issued ? ' → quorum reached, certificate issued' : ''}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'newton-tour-'));
  try {
    const validator = new AttestationValidator(registry, join(dir, 'spent.sqlite'));
    const bundle = attestationBundle(task, response, certificate, 150);
    const ctx = { policyId, chainId: 11155111, caller: intent.from, currentBlock: 100 };
    for (const attempt of ['first use', 'replay']) {
      const report = await validator.validate(bundle, ctx);
      const failed = report.checks.find((c) => c.status === 'failed');
      console.log(`   ${attempt.padEnd(9)} → ${report.valid ? 'VALID' : `INVALID (${failed.code})`}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
