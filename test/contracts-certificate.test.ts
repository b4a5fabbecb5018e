// Certificates from the Rust aggregator (through the TS API) on a real Prague EVM (anvil): the
// handler verifies them against the on-chain registry and turns allowed responses into
// attestations the example vault spends once; every refusal reverts with its Newton error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseError, ContractFunctionRevertedError, encodeAbiParameters, parseEther, type Hex } from 'viem';
import { BLS_CERTIFICATE_ABI, blsAggregatePublicKeysSync, bytesToHex, consensusDigest, g1ToEip2537, g2ToEip2537 } from '../bindings/dist/index.js';
import { startAnvil } from '../contracts/anvil.mjs';
import { compileContracts } from '../contracts/build.mjs';
import { ACCOUNTS, abiOf, clients, deploy, deployNewton, registration, send } from '../contracts/chain.mjs';
import { codeOf } from './helpers/newton.js';
import { attestationFor, certify, makeOperators, offChainRegistry, signatureData, solidity, vaultTask } from '../contracts/newton-fixture.mjs';

type Contract = { address: Hex; abi: readonly unknown[] };
type Chain = ReturnType<typeof clients>;

const operators = makeOperators(4);
const registry = offChainRegistry(operators);
let anvil: { rpcUrl: string; stop: () => Promise<void> };
let chain: Chain;
let onChain: { registry: Contract; handler: Contract };
let vault: Contract;
let policyId: Hex;
let taskCount = 0;

beforeAll(async () => {
  anvil = await startAnvil();
  chain = clients(anvil.rpcUrl);
  onChain = await deployNewton(chain, operators, 67);
  vault = { address: await deploy(chain, 'ExampleVault', [onChain.handler.address, ACCOUNTS[0]]), abi: abiOf('ExampleVault') };
  await send(chain, { ...vault, functionName: 'setPolicyAddress', args: [`0x${'aa'.repeat(20)}`] });
  policyId = await newPolicy();
  await chain.wallet().sendTransaction({ to: vault.address, value: parseEther('10') });
}, 120_000);
afterAll(() => anvil?.stop());

async function newPolicy(): Promise<Hex> {
  await send(chain, { ...vault, functionName: 'setPolicy', args: [{ policyParams: '0x7b7d', expireAfter: 10 }] });
  return (await chain.publicClient.readContract({ ...vault, functionName: 'getPolicyId' } as never)) as Hex;
}

/** The custom error (name and args) a call reverted with. */
async function revertOf(call: Promise<unknown>): Promise<{ name: string; args: readonly unknown[] }> {
  try {
    await call;
  } catch (err) {
    const reverted = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
    }
    throw err;
  }
  throw new Error('expected a revert');
}

const verify = (message: Hex, data: Hex) =>
  chain.publicClient.readContract({ ...onChain.handler, functionName: 'verifyCertificate', args: [message, data] } as never);

/** A fresh vault task for `amount`, certified by `signers` (default: the first three of four). */
function certified(amount: bigint, signers = operators.slice(0, 3), overrides: { sender?: Hex; expireAfter?: number; allow?: boolean } = {}) {
  const taskId = `0x${(++taskCount).toString(16).padStart(64, '0')}` as Hex;
  const { task, response } = vaultTask({ vault: vault.address, sender: overrides.sender ?? ACCOUNTS[0], policyId, amount, taskId, expireAfter: overrides.expireAfter, allow: overrides.allow });
  const certificate = certify(registry, response, signers);
  return { task, response, certificate, data: signatureData(certificate, operators) as Hex };
}

/** Posts the response; resolves to the attestation the handler stored (expiration from its event). */
async function respond({ task, response, certificate, data }: ReturnType<typeof certified>) {
  const receipt = await send(chain, { ...onChain.handler, functionName: 'respondToTask', args: [solidity(response), data] });
  const block = Number(receipt.blockNumber);
  return { attestation: attestationFor(task, response, certificate, block + response.policyConfig.expireAfter) };
}

const withdraw = (amount: bigint, attestation: unknown, account = ACCOUNTS[0]) =>
  send(chain, { ...vault, functionName: 'withdraw', args: [amount, attestation] }, account);

describe('certificate verification', () => {
  it('verifies a 3-of-4 certificate from the Rust aggregator, and the handler recomputes its digest', async () => {
    const c = certified(1n);
    expect(c.certificate.non_signers).toEqual([operators[3]!.id]);
    await verify(c.certificate.message as Hex, c.data);
    const { attestation } = await respond(c);
    expect(attestation.policyClient).toBe(vault.address);
  });

  it('reverts SignatureVerificationFailed for a flipped signature bit, a wrong message and a lie about non-signers', async () => {
    const c = certified(1n);
    const data = Buffer.from(c.data.slice(2), 'hex');
    data[data.length - 1] ^= 1; // the last byte of the EIP-2537 signature (y.c1): off the curve
    expect((await revertOf(verify(c.certificate.message as Hex, bytesToHex(data)))).name).toBe('SignatureVerificationFailed');

    const wrong = `0x${'ab'.repeat(32)}` as Hex;
    const relabelled = signatureData({ ...c.certificate, message: wrong }, operators) as Hex;
    expect((await revertOf(verify(wrong, relabelled))).name).toBe('SignatureVerificationFailed');

    // Operator 2 signed but is listed as a non-signer (and stake still suffices: 2 of 4 at 50% would not).
    const lied = { ...c.certificate, signers: c.certificate.signers.filter((id) => id !== operators[2]!.id), non_signers: [operators[2]!.id, operators[3]!.id].sort() };
    await send(chain, { ...onChain.registry, functionName: 'setQuorumThresholdPercentage', args: [50] });
    try {
      expect((await revertOf(verify(c.certificate.message as Hex, signatureData(lied, operators)))).name).toBe('SignatureVerificationFailed');
    } finally {
      await send(chain, { ...onChain.registry, functionName: 'setQuorumThresholdPercentage', args: [67] });
    }
  });

  it('reverts CertificateMessageHashMismatch when the response is not the one signed', async () => {
    const c = certified(1n);
    const altered = { ...c.response, evaluationResult: `0x${'0'.repeat(64)}` as Hex };
    const err = await revertOf(send(chain, { ...onChain.handler, functionName: 'respondToTask', args: [solidity(altered), c.data] }));
    expect(err.name).toBe('CertificateMessageHashMismatch');
    expect(consensusDigest(altered)).not.toBe(c.certificate.message);
  });

  it('reverts InsufficientQuorumStake below the threshold (2 of 4 is 50% < 67%)', async () => {
    const c = certified(1n, operators.slice(0, 2));
    expect((await revertOf(verify(c.certificate.message as Hex, c.data))).name).toBe('InsufficientQuorumStake');
  });

  it('reverts InvalidNonSigners for unsorted, repeated or out-of-range indices and keys that are not theirs', async () => {
    const c = certified(1n, operators.slice(0, 2));
    const key = (i: number) => g1ToEip2537(operators[i]!.publicKey).slice(2);
    const encode = (nonSignerIndices: number[], keys: number[]) =>
      encodeAbiParameters([BLS_CERTIFICATE_ABI], [{
        message: c.certificate.message as Hex, nonSignerIndices, nonSignerKeys: `0x${keys.map(key).join('')}`, signature: g2ToEip2537(c.certificate.aggregate_signature),
      }]);
    // Well-formed, it is refused only for its stake.
    expect((await revertOf(verify(c.certificate.message as Hex, encode([2, 3], [2, 3])))).name).toBe('InsufficientQuorumStake');
    for (const [indices, keys] of [[[3, 2], [3, 2]], [[2, 2], [2, 2]], [[2, 4], [2, 3]], [[2, 3], [3, 2]], [[2, 3], [2]]]) {
      expect((await revertOf(verify(c.certificate.message as Hex, encode(indices!, keys!)))).name).toBe('InvalidNonSigners');
    }
  });

  it('encodes only against the same operator set (NEWTON_ERR_OPERATOR_UNKNOWN otherwise)', () => {
    const c = certified(1n);
    expect(codeOf(() => signatureData(c.certificate, operators.slice(0, 3)))).toBe('NEWTON_ERR_OPERATOR_UNKNOWN');
    expect(codeOf(() => signatureData(c.certificate, [...operators, ...makeOperators(1, 1000, 77)]))).toBe('NEWTON_ERR_OPERATOR_UNKNOWN');
  });
});

describe('operator registry', () => {
  it('refuses a rogue key without a proof of possession, though FastAggregateVerify would accept it', async () => {
    const [victim, attacker] = [operators[0]!, makeOperators(1, 1000, 99)[0]!];
    const negated = Uint8Array.from(victim.publicKey, (b, i) => (i === 0 ? b ^ 0x20 : b));
    const rogueKey = blsAggregatePublicKeysSync([attacker.publicKey, negated]);
    const message = `0x${'42'.repeat(32)}` as Hex;
    const forged = bytesToHex(attacker.signer.signSync(Buffer.from(message.slice(2), 'hex')));
    const harness = { address: await deploy(chain, 'BlsHarness'), abi: compileContracts().BlsHarness.abi };
    const accepts = await chain.publicClient.readContract({
      ...harness, functionName: 'fastAggregateVerify', args: [[g1ToEip2537(victim.publicKey), g1ToEip2537(rogueKey)], message, g2ToEip2537(forged)],
    } as never);
    expect(accepts).toBe(true);

    for (const proof of [attacker.proofOfPossession, victim.proofOfPossession]) {
      const args = registration({ id: `0x${'ee'.repeat(32)}`, publicKey: rogueKey, proofOfPossession: proof, stake: 1_000_000 });
      expect((await revertOf(send(chain, { ...onChain.registry, functionName: 'registerOperator', args }))).name).toBe('InvalidProofOfPossession');
    }
  });

  it('refuses a key whose compressed and EIP-2537 forms differ, a repeated key or id, and non-owners', async () => {
    const [fresh] = makeOperators(1, 1000, 50);
    const [a, b] = [registration(fresh!), registration(operators[1]!)];
    const mismatched = [a[0], a[1], b[2], a[3], a[4]];
    const reg = (args: unknown[], account = ACCOUNTS[0]) => revertOf(send(chain, { ...onChain.registry, functionName: 'registerOperator', args }, account));
    expect((await reg(mismatched)).name).toBe('InvalidPublicKey');
    expect((await reg([a[0], ...registration(operators[1]!).slice(1)])).name).toBe('PublicKeyAlreadyRegistered');
    expect(await reg(registration(operators[1]!))).toEqual({ name: 'OperatorAlreadyRegistered', args: [operators[1]!.id] });
    expect((await reg(a, ACCOUNTS[1])).name).toBe('OnlyOwner');
    expect(await chain.publicClient.readContract({ ...onChain.registry, functionName: 'operatorCount' } as never)).toBe(4n);
  });
});

describe('example vault', () => {
  it('pays out once per attestation; the replay reverts AttestationAlreadySpent', async () => {
    const c = certified(parseEther('1'));
    const { attestation } = await respond(c);
    const before = await chain.publicClient.getBalance({ address: vault.address });
    await withdraw(parseEther('1'), attestation);
    expect(await chain.publicClient.getBalance({ address: vault.address })).toBe(before - parseEther('1'));
    expect((await revertOf(withdraw(parseEther('1'), attestation))).name).toBe('AttestationAlreadySpent');
  });

  it('refuses another sender, another amount and a response posted twice', async () => {
    const c = certified(2n);
    const { attestation } = await respond(c);
    expect(await revertOf(withdraw(2n, attestation, ACCOUNTS[1]))).toEqual({ name: 'Unauthorized', args: ['Not authorized intent sender'] });
    expect((await revertOf(withdraw(3n, attestation))).name).toBe('InvalidIntent');
    const again = await revertOf(send(chain, { ...onChain.handler, functionName: 'respondToTask', args: [solidity(c.response), c.data] }));
    expect(again).toEqual({ name: 'TaskAlreadyResponded', args: [c.response.taskId] });
    await withdraw(2n, attestation);
  });

  it('reverts AttestationHashMismatch for an attestation the handler never stored or a denied response', async () => {
    const c = certified(4n);
    await respond(c);
    const forged = attestationFor(c.task, c.response, c.certificate, 1_000_000);
    expect((await revertOf(withdraw(4n, forged))).name).toBe('AttestationHashMismatch');

    const denied = certified(4n, undefined, { allow: false });
    const { attestation } = await respond(denied);
    expect((await revertOf(withdraw(4n, attestation))).name).toBe('AttestationHashMismatch');
  });

  it('reverts AttestationExpired at the expiration block', async () => {
    const c = certified(5n, undefined, { expireAfter: 3 });
    const { attestation } = await respond(c);
    await chain.testClient.mine({ blocks: 3 });
    expect((await revertOf(withdraw(5n, attestation))).name).toBe('AttestationExpired');
  });

  it('refuses attestations issued under the previous policy after setPolicy', async () => {
    const c = certified(6n);
    const { attestation } = await respond(c);
    policyId = await newPolicy();
    expect(await revertOf(withdraw(6n, attestation))).toEqual({ name: 'Unauthorized', args: ['Policy ID does not match'] });
  });
});
