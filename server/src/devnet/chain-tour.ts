// The devnet tour in chain mode, every step a JSON-RPC call or a transaction on the devnet's
// anvil: a user asks the gateway to withdraw from the example vault, the gateway posts the
// certified response on chain, the user spends the attestation in the vault's withdraw and the
// replay reverts AttestationAlreadySpent; a withdraw above the policy's limit is denied.
import { attestationBundle, type Hex, type NewtonClient, type NewtonTask } from 'newton-engine';
import { createPublicClient, createWalletClient, encodeFunctionData, formatEther, http, parseAbi, parseEther, stringToHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { EXAMPLE_VAULT_ABI, TASK_RESPONSE_HANDLER_ABI } from '../chain/abi.js';
import { revertOf } from '../chain/errors.js';
import { taskResponseOf, type TaskSuccess } from '../tasks/results.js';
import type { DevnetChain } from './chain.js';

/** The call the intent attests: the vault checks its calldata is exactly this. */
const WITHDRAW_INTENT = parseAbi(['function withdraw(uint256 amount)']);

export interface ChainTourOptions {
  client: NewtonClient;
  chain: DevnetChain & { vault: Hex };
  log?: (line: string) => void;
}

export async function chainTour({ client, chain, log = console.log }: ChainTourOptions): Promise<void> {
  const user = privateKeyToAccount(generatePrivateKey());
  await chain.fund(user.address, parseEther('1'));
  const transport = http(chain.rpcUrl);
  const reader = createPublicClient({ chain: foundry, transport, pollingInterval: 100 });
  const wallet = createWalletClient({ chain: foundry, transport, account: user });
  const vault = chain.vault;

  const task = async (amount: bigint) => {
    const intent = {
      from: user.address, to: vault, value: '0x0', chain_id: `0x${chain.contracts.chainId.toString(16)}`,
      data: encodeFunctionData({ abi: WITHDRAW_INTENT, args: [amount] }),
      function_signature: stringToHex('withdraw(uint256)'),
    };
    return (await client.createTask({ policy_client: vault, intent })) as unknown as TaskSuccess;
  };
  const withdraw = async (amount: bigint, r: TaskSuccess) => {
    const { attestation } = attestationBundle(r.task as NewtonTask, taskResponseOf(r), r.certificate, r.expiration);
    const args = [amount, { ...attestation, intent: { ...attestation.intent, value: BigInt(attestation.intent.value), chainId: BigInt(attestation.intent.chainId) } }] as const;
    try {
      const { request } = await reader.simulateContract({ address: vault, abi: EXAMPLE_VAULT_ABI, functionName: 'withdraw', args, account: user });
      const receipt = await reader.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
      return `paid in block ${receipt.blockNumber} (${receipt.gasUsed} gas)`;
    } catch (err) {
      return `reverted ${revertOf(err) ?? (err as Error).message}`;
    }
  };

  log(`\n== chain mode: the example vault ${vault} on anvil ${chain.rpcUrl} (chain ${chain.contracts.chainId})`);
  log(`   user ${user.address} asks for withdraw(1 ETH)`);
  const allowed = await task(parseEther('1'));
  if (allowed.status !== 'success') throw new Error(`the vault task failed: ${JSON.stringify(allowed)}`);
  const [posted] = await reader.getContractEvents({ address: chain.contracts.taskResponseHandler, abi: TASK_RESPONSE_HANDLER_ABI, eventName: 'TaskResponded', args: { taskId: allowed.task_id }, fromBlock: BigInt(allowed.reference_block) });
  const { gasUsed } = await reader.getTransactionReceipt({ hash: posted!.transactionHash });
  log(`   newt_createTask → allowed by ${allowed.certificate.signers.length} operators; the gateway posted it to the TaskResponseHandler in block ${allowed.reference_block} (respondToTask: ${gasUsed} gas); attestation valid until block ${allowed.expiration}`);
  log(`   withdraw(1 ETH, attestation) → ${await withdraw(parseEther('1'), allowed)}; vault balance ${formatEther(await reader.getBalance({ address: vault }))} ETH`);
  log(`   the same attestation again → ${await withdraw(parseEther('1'), allowed)}`);
  const denied = await task(parseEther('6'));
  log(`   withdraw(6 ETH) → ${denied.task_response.evaluation_result.at(-1) === 1 ? 'allowed' : 'denied (the policy allows 5 ETH)'}, posted too; withdrawing with it → ${await withdraw(parseEther('6'), denied)}`);
}
