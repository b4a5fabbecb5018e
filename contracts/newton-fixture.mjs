// Operators, a certified Newton task response for the example vault, and the conversions to
// the contracts' Solidity structs, built through the public TS API (the Rust aggregator signs
// and certifies). Shared by test/contracts-*.test.ts and bench/contracts.bench.mjs.
import { createHash } from 'node:crypto';
import { encodeFunctionData, parseAbiItem } from 'viem';
import {
  Aggregator,
  BlsSigner,
  OperatorRegistry,
  attestationBundle,
  bytesToHex,
  consensusDigest,
  encodeCertificate,
  hexToBytes,
} from '../bindings/dist/index.js';

export const CHAIN_ID = 31337;
const ABI_TRUE = `0x${'0'.repeat(63)}1`;
const utf8 = (s) => `0x${Buffer.from(s, 'utf8').toString('hex')}`;
const WITHDRAW = parseAbiItem('function withdraw(uint256 amount)');

/** `n` operators (secret keys from seeds `seed0`, `seed0 + 1`…), each with `stake`. */
export function makeOperators(n, stake = 1000, seed0 = 1) {
  return Array.from({ length: n }, (_, i) => {
    const secret = createHash('sha256').update(`newton-contracts-operator-${seed0 + i}`).digest();
    secret[0] &= 0x3f; // below the group order
    const signer = BlsSigner.fromSecretKey(secret);
    const id = `0x${createHash('sha256').update(signer.publicKey).digest('hex')}`;
    return { id, signer, publicKey: signer.publicKey, proofOfPossession: signer.proofOfPossession(), stake };
  });
}

/** The off-chain registry holding the same operators (quorum 0). */
export function offChainRegistry(operators) {
  return OperatorRegistry.fromJsonSync(
    operators.map((op) => ({ operator_id: op.id, public_key: op.publicKey, proof_of_possession: op.proofOfPossession, stake: { 0: op.stake } })),
  );
}

/** A Newton task asking the vault to `withdraw(amount)` for `sender`, and its allowed response. */
export function vaultTask({ vault, sender, policyId, amount, taskId, expireAfter = 10, allow = true }) {
  const intent = {
    from: sender,
    to: vault,
    value: '0x0',
    data: encodeFunctionData({ abi: [WITHDRAW], args: [BigInt(amount)] }),
    chainId: `0x${CHAIN_ID.toString(16)}`,
    functionSignature: utf8('withdraw(uint256)'),
  };
  const task = {
    taskId, policyClient: vault, taskCreatedBlock: 1, quorumThresholdPercentage: 67, intent,
    intentSignature: `0x${'11'.repeat(65)}`, wasmArgs: '0x', quorumNumbers: '0x00', initializationTimestamp: '1700000000',
  };
  const policyAddress = `0x${'aa'.repeat(20)}`;
  const response = {
    taskId, policyClient: vault, policyId, policyAddress, intent, intentSignature: task.intentSignature,
    evaluationResult: allow ? ABI_TRUE : `0x${'0'.repeat(64)}`,
    policyTaskData: {
      policyId, policyAddress, policy: utf8('package vault\ndefault allow := true\n'),
      policyData: [{ wasmArgs: '0x', data: utf8('{}'), policyDataAddress: `0x${'dd'.repeat(20)}`, expireBlock: 1_000_000 }],
    },
    policyConfig: { policyParams: utf8('{}'), expireAfter },
    initializationTimestamp: task.initializationTimestamp,
  };
  return { task, response };
}

/** A certificate over the response's consensus digest signed by `signers` (threshold 0: any signers). */
export function certify(registry, response, signers) {
  const digest = consensusDigest(response);
  const aggregator = Aggregator.forMessage(registry, digest, [0], 0);
  return aggregator.aggregateSync(signers.map((op) => ({ operatorId: op.id, signature: bytesToHex(op.signer.signSync(hexToBytes(digest))) })));
}

/** `signature_data` for the on-chain registry holding `operators` in this order. */
export const signatureData = (certificate, operators) => encodeCertificate(certificate, operators);

/** The attestation the handler stores for `response` at `expiration`, built by the crate. */
export function attestationFor(task, response, certificate, expiration) {
  return solidity(attestationBundle(task, response, certificate, expiration).attestation);
}

/** The TS API's Newton JSON as viem arguments: uint256 strings become bigints. */
export function solidity(value) {
  const intent = (i) => ({ ...i, value: BigInt(i.value), chainId: BigInt(i.chainId) });
  if ('evaluationResult' in value) {
    return { ...value, intent: intent(value.intent), initializationTimestamp: BigInt(value.initializationTimestamp) };
  }
  return { ...value, intent: intent(value.intent) };
}
