// End to end on a real EVM: `newton devnet --chain` (anvil with the Newton contracts, the 4
// operator processes registered on chain with their keystores' keys, the gateway in chain mode,
// the example vault as the policy client). A devnet task is posted on chain by the gateway and
// its attestation pays out of the vault once; the replay, a policy changed on the vault, the
// expiry block and another sender each revert with Newton's error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseError, ContractFunctionRevertedError, decodeAbiParameters, encodeFunctionData, parseAbiItem, parseEther, stringToHex, type Hex } from 'viem';
import { BLS_CERTIFICATE_ABI, NewtonClient, type NewtonTask, type NewtonTaskResponse } from '../bindings/dist/index.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKey, createGateway, startDevnet, type Devnet, type TaskFailure, type TaskSuccess } from '../server/dist/index.js';
import { OPERATOR_REGISTRY_ABI, POLICY_CLIENT_ABI, TASK_RESPONSE_HANDLER_ABI } from '../server/dist/chain/abi.js';
import { VAULT_POLICY, VAULT_POLICY_CONFIG } from '../server/dist/devnet/chain.js';
import { cliScript, newton } from './helpers/cli.js';
import { startUntilLine } from './helpers/processes.js';
import { compileContracts } from '../contracts/build.mjs';
import { ACCOUNTS, abiOf, clients, send } from '../contracts/chain.mjs';
import { attestationFor } from '../contracts/newton-fixture.mjs';

const WITHDRAW = parseAbiItem('function withdraw(uint256 amount)');
const USER = ACCOUNTS[1] as Hex;
const OTHER = ACCOUNTS[0] as Hex;

let devnet: Devnet;
let client: NewtonClient;
let chain: ReturnType<typeof clients>;
let vault: { address: Hex; abi: readonly unknown[] };
let handler: { address: Hex; abi: readonly unknown[] };

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, operators: 4, chain: true, logLevel: 'warn' });
  client = new NewtonClient({ url: `${devnet.url}/rpc`, apiKey: devnet.apiKey });
  chain = clients(devnet.chain!.rpcUrl);
  vault = { address: devnet.chain!.vault, abi: abiOf('ExampleVault') };
  handler = { address: devnet.chain!.contracts.taskResponseHandler, abi: abiOf('TaskResponseHandler') };
}, 120_000);
afterAll(() => devnet?.close());

const withdrawIntent = (amount: bigint, from: Hex = USER) => ({
  from, to: vault.address, value: '0x0', chain_id: '0x7a69',
  data: encodeFunctionData({ abi: [WITHDRAW], args: [amount] }), function_signature: stringToHex('withdraw(uint256)'),
});

/** A withdraw of `amount` by `from`, through the devnet gateway; resolves to its success result. */
async function task(amount: bigint, from: Hex = USER): Promise<TaskSuccess> {
  const result = (await client.createTask({ policy_client: vault.address, intent: withdrawIntent(amount, from) })) as unknown as TaskSuccess;
  expect(result).toMatchObject({ status: 'success' });
  return result;
}

/** The attestation the handler stored for a result (Newton's Attestation, as viem arguments). */
function attestation(r: TaskSuccess) {
  const t = r.task_response;
  const response: NewtonTaskResponse = {
    taskId: t.task_id, policyClient: t.policy_client, policyId: t.policy_id, policyAddress: t.policy_address, intent: t.intent,
    intentSignature: t.intent_signature, evaluationResult: `0x${Buffer.from(t.evaluation_result).toString('hex')}`, policyTaskData: t.policy_task_data,
    policyConfig: t.policy_config, initializationTimestamp: BigInt(t.initialization_timestamp).toString(),
  };
  return attestationFor(r.task as NewtonTask, response, r.certificate, r.expiration);
}

const withdraw = (amount: bigint, r: TaskSuccess, sender: Hex = USER) =>
  send(chain, { ...vault, functionName: 'withdraw', args: [amount, attestation(r)] }, sender);

async function revertOf(call: Promise<unknown>): Promise<{ name: string; args: readonly unknown[] }> {
  try {
    await call;
  } catch (err) {
    const reverted = (err as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
    throw err;
  }
  throw new Error('expected a revert');
}

describe('newton devnet --chain', () => {
  it("runs the gateway's clock on the chain and its contracts' ABIs as solc compiled them", async () => {
    expect((await client.blockNumber()).chain_id).toBe(31337);
    const latest = Number(await chain.publicClient.getBlockNumber());
    await expect.poll(async () => (await client.blockNumber()).block_number, { timeout: 3_000 }).toBe(latest);
    const compiled = compileContracts();
    const names = (abi: readonly { type: string; name?: string }[]) => abi.filter((i) => i.type !== 'struct').map((i) => `${i.type} ${i.name}`);
    expect(names(compiled.TaskResponseHandler.abi.concat(compiled.OperatorRegistry.abi))).toEqual(expect.arrayContaining(names(TASK_RESPONSE_HANDLER_ABI)));
    expect(names(compiled.OperatorRegistry.abi)).toEqual(expect.arrayContaining(names(OPERATOR_REGISTRY_ABI)));
    expect(names(compiled.ExampleVault.abi)).toEqual(expect.arrayContaining(names(POLICY_CLIENT_ABI)));
  });

  it('posts a certified task on chain; its attestation pays out once, the replay reverts AttestationAlreadySpent', async () => {
    const r = await task(parseEther('1'));
    expect(r.task_response.policy_id).toBe(devnet.chain!.policyId); // read from the vault
    const [certificate] = decodeAbiParameters([BLS_CERTIFICATE_ABI], r.signature_data);
    expect(certificate.message).toBe(r.certificate.message);
    expect(certificate.nonSignerIndices.length).toBe(r.certificate.non_signers.length);
    const [event] = await chain.publicClient.getContractEvents({ ...handler, abi: TASK_RESPONSE_HANDLER_ABI, eventName: 'TaskResponded', args: { taskId: r.task_id }, fromBlock: 0n });
    expect(event!.args).toMatchObject({ consensusDigest: r.certificate.message, allowed: true, expiration: r.expiration });
    expect(Number(event!.blockNumber)).toBe(r.reference_block);

    const before = await chain.publicClient.getBalance({ address: vault.address });
    expect((await client.taskStatus(r.task_id)).status).toBe('Responded');
    await withdraw(parseEther('1'), r);
    expect(await chain.publicClient.getBalance({ address: vault.address })).toBe(before - parseEther('1'));
    expect((await client.taskStatus(r.task_id)).status).toBe('AttestationSpent'); // read from the handler
    expect((await revertOf(withdraw(parseEther('1'), r))).name).toBe('AttestationAlreadySpent');
  });

  it('a denied task is posted too, and leaves no attestation (AttestationHashMismatch)', async () => {
    const r = await task(parseEther('6')); // above the policy's 5 ether
    expect(r.task_response.evaluation_result.at(-1)).toBe(0);
    expect(await chain.publicClient.readContract({ ...handler, functionName: 'responded', args: [r.task_id] } as never)).toBe(true);
    expect((await revertOf(withdraw(parseEther('6'), r))).name).toBe('AttestationHashMismatch');
  });

  it('another sender reverts Unauthorized("Not authorized intent sender")', async () => {
    const r = await task(2n);
    expect(await revertOf(withdraw(2n, r, OTHER))).toEqual({ name: 'Unauthorized', args: ['Not authorized intent sender'] });
    await withdraw(2n, r);
  });

  it('at the expiry block it reverts AttestationExpired, and the gateway reports the task expired', async () => {
    const r = await task(3n);
    expect(r.expiration - r.reference_block).toBe(VAULT_POLICY_CONFIG.expireAfter);
    const { block_number } = await client.advanceBlocks(VAULT_POLICY_CONFIG.expireAfter); // anvil_mine through the gateway
    expect(block_number).toBe(Number(await chain.publicClient.getBlockNumber()));
    expect(block_number).toBeGreaterThanOrEqual(r.expiration - 1); // the next block is at or past the expiry
    expect((await revertOf(withdraw(3n, r))).name).toBe('AttestationExpired');
    await expect.poll(async () => (await client.taskStatus(r.task_id)).status, { timeout: 5_000 }).toBe('AttestationExpired');
  });

  it('after setPolicy on the vault the old attestation reverts Unauthorized("Policy ID does not match"); new tasks carry the new id', async () => {
    const r = await task(4n);
    await send(chain, { ...vault, functionName: 'setPolicy', args: [VAULT_POLICY_CONFIG] }, devnet.owner);
    const policyId = await chain.publicClient.readContract({ ...vault, functionName: 'getPolicyId' } as never);
    expect(policyId).not.toBe(r.task_response.policy_id);
    expect(await revertOf(withdraw(4n, r))).toEqual({ name: 'Unauthorized', args: ['Policy ID does not match'] });

    const next = await task(4n);
    expect(next.task_response.policy_id).toBe(policyId);
    await withdraw(4n, next);
    expect((await client.getPolicyClient(vault.address)).policy_id).toBe(policyId);
  });

  it("refuses to set a client's policy or spend an attestation at the gateway: both are on chain", async () => {
    const auth = { nonce: 0, deadline: 0, signature: `0x${'00'.repeat(65)}` };
    await expect(client.setPolicyParams({ policy_client: vault.address, policy_params: {}, authorization: auth })).rejects.toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT' });
    await expect(client.spendAttestation(`0x${'01'.repeat(32)}`, USER, auth)).rejects.toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: expect.stringContaining('spent on chain') });
  });
});

describe('chain mode misconfigured', () => {
  it('a gateway whose operators are not the on-chain registry answers a failed task (NEWTON_ERR_OPERATOR_UNKNOWN), nothing posted', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newton-chain-'));
    const { gateway, app } = await createGateway({ dataDir, operators: 4, logger: false, chain: { rpcUrl: devnet.chain!.rpcUrl, contracts: devnet.chain!.contractsFile } });
    try {
      const { key } = await createApiKey(gateway.store, { permissions: ['read', 'write'], owner: devnet.owner.address });
      const other = new NewtonClient({ url: `${await app.listen({ host: '127.0.0.1', port: 0 })}/rpc`, apiKey: key });
      await other.publishPolicy({ owner: devnet.owner.address, policy: VAULT_POLICY, entrypoint: 'vault.allow' }); // the vault's policy address
      const r = (await other.createTask({ policy_client: vault.address, intent: withdrawIntent(1n) })) as unknown as TaskFailure;
      expect(r).toMatchObject({ status: 'failed', error: { code: 'NEWTON_ERR_OPERATOR_UNKNOWN' } });
      expect(await chain.publicClient.readContract({ ...handler, functionName: 'responded', args: [r.task_id] } as never)).toBe(false);
      // A policy client must be a NewtonPolicyClient contract: an account is not one.
      await expect(other.createTask({ policy_client: USER, intent: withdrawIntent(1n) })).rejects.toMatchObject({ code: 'NEWTON_ERR_NOT_FOUND', message: expect.stringContaining('is not a NewtonPolicyClient contract') });
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses contracts of another chain (NEWTON_ERR_CHAIN) and --chain-rpc without --chain-contracts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newton-chain-'));
    try {
      const contracts = { ...devnet.chain!.contracts, chainId: 1 };
      await expect(createGateway({ dataDir, operators: 0, logger: false, chain: { rpcUrl: devnet.chain!.rpcUrl, contracts } })).rejects.toMatchObject({ code: 'NEWTON_ERR_CHAIN' });
      const cli = await newton(['gateway', 'start', '--data-dir', dataDir, '--chain-rpc', devnet.chain!.rpcUrl]);
      expect(cli.status).toBe(2);
      expect(cli.stderr).toContain('--chain-rpc and --chain-contracts go together');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('newton gateway start --chain-rpc --chain-contracts serves on the chain as a process', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newton-chain-'));
    const args = ['gateway', 'start', '--data-dir', dataDir, '--port', '0', '--operators', '0', '--chain-rpc', devnet.chain!.rpcUrl, '--chain-contracts', devnet.chain!.contractsFile, '--log-level', 'warn', '--format', 'json'];
    const { child, line, exited } = await startUntilLine(cliScript, args);
    try {
      const key = JSON.parse((await newton(['gateway', 'keys', 'create', '--data-dir', dataDir, '--permission', 'read', '--format', 'json'])).stdout).key;
      const started = new NewtonClient({ url: `${JSON.parse(line).url}/rpc`, apiKey: key });
      expect(await started.blockNumber()).toMatchObject({ chain_id: 31337, block_number: Number(await chain.publicClient.getBlockNumber()) });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
