// viem clients on a local anvil and the deployment of the Newton contracts: the operator
// registry (operators registered with their proofs of possession), the task response handler
// and optionally the example vault. Shared by the contract tests and the gas benchmark.
import { createPublicClient, createTestClient, createWalletClient, http } from 'viem';
import { foundry } from 'viem/chains';
import { g1ToEip2537, g2ToEip2537 } from '../bindings/dist/index.js';
import { compileContracts } from './build.mjs';

/** anvil's first two funded accounts (its default mnemonic): the deployer and a second user. */
export const ACCOUNTS = ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'];

export function clients(rpcUrl) {
  const transport = http(rpcUrl);
  return {
    // anvil mines each transaction at once: receipts are polled every 100 ms, not viem's 4 s.
    publicClient: createPublicClient({ chain: foundry, transport, pollingInterval: 100 }),
    testClient: createTestClient({ chain: foundry, mode: 'anvil', transport }),
    wallet: (account = ACCOUNTS[0]) => createWalletClient({ chain: foundry, transport, account }),
  };
}

/**
 * Contract `name`'s ABI with every contract's errors added, so that viem decodes a revert that
 * bubbles up from a callee (the registry under the handler, the handler under the vault).
 */
export function abiOf(name) {
  const contracts = compileContracts();
  const errors = new Map();
  for (const { abi } of Object.values(contracts)) for (const item of abi) if (item.type === 'error') errors.set(item.name, item);
  const own = contracts[name].abi;
  return [...own, ...[...errors.values()].filter((e) => !own.some((item) => item.type === 'error' && item.name === e.name))];
}

/** Deploys compiled contract `name`; resolves to its address once mined. */
export async function deploy({ publicClient, wallet }, name, args = [], account = ACCOUNTS[0]) {
  const { abi, bytecode } = compileContracts()[name];
  const hash = await wallet(account).deployContract({ abi, bytecode, args });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`deploying ${name} reverted`);
  return receipt.contractAddress;
}

/** Simulates (so a revert throws, decoded) then sends a transaction; resolves to its receipt. */
export async function send({ publicClient, wallet }, call, account = ACCOUNTS[0]) {
  const { request } = await publicClient.simulateContract({ ...call, account });
  const hash = await wallet(account).writeContract(request);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${call.functionName} reverted on chain after simulating`);
  return receipt;
}

/** The registry arguments for one operator: `{ id, publicKey (48 bytes), proofOfPossession (96 bytes), stake }`. */
export function registration({ id, publicKey, proofOfPossession, stake }) {
  return [id, hex(publicKey), g1ToEip2537(publicKey), g2ToEip2537(proofOfPossession), BigInt(stake)];
}

/**
 * Deploys an OperatorRegistry at `threshold` percent with `operators` registered, and a
 * TaskResponseHandler on it. Resolves to `{ registry, handler }` as `{ address, abi }`.
 */
export async function deployNewton(chain, operators, threshold = 67) {
  const registry = { address: await deploy(chain, 'OperatorRegistry', [threshold]), abi: abiOf('OperatorRegistry') };
  for (const op of operators) {
    await send(chain, { ...registry, functionName: 'registerOperator', args: registration(op) });
  }
  const handler = { address: await deploy(chain, 'TaskResponseHandler', [registry.address]), abi: abiOf('TaskResponseHandler') };
  return { registry, handler };
}

const hex = (bytes) => (typeof bytes === 'string' ? bytes : `0x${Buffer.from(bytes).toString('hex')}`);
