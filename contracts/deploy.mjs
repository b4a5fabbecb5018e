// The deploy step of chain mode: the operator registry with the operators registered (keys with
// their proofs of possession, stakes), the task response handler on it, and the JSON that
// `newton gateway start --chain-contracts FILE` reads. Deploys from anvil's first account (an
// unlocked node account), so it is for development chains.
//   node contracts/deploy.mjs --rpc URL --operators operators.json [--threshold 67] [--out chain-contracts.json]
// operators.json: [{ operator_id, public_key, proof_of_possession, stake }] (hex, 48 and 96 bytes).
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ACCOUNTS, abiOf, clients, deploy, deployNewton, send } from './chain.mjs';

/**
 * Deploys the registry (at `threshold` percent) with `operators` ({ id, publicKey,
 * proofOfPossession, stake }) and the handler; resolves to the chain-contracts JSON object.
 */
export async function deployChainContracts(rpcUrl, operators, threshold = 67) {
  const chain = clients(rpcUrl);
  const deployedBlock = Number(await chain.publicClient.getBlockNumber());
  const { registry, handler } = await deployNewton(chain, operators, threshold);
  return { chainId: await chain.publicClient.getChainId(), operatorRegistry: registry.address, taskResponseHandler: handler.address, deployedBlock };
}

/** Deploys an ExampleVault on `taskResponseHandler` owned by `owner`, funded with `wei`; resolves to its address. */
export async function deployVault(rpcUrl, taskResponseHandler, owner, wei = 0n) {
  const chain = clients(rpcUrl);
  const vault = await deploy(chain, 'ExampleVault', [taskResponseHandler, owner]);
  if (wei > 0n) await chain.publicClient.waitForTransactionReceipt({ hash: await chain.wallet(ACCOUNTS[0]).sendTransaction({ to: vault, value: wei }) });
  return vault;
}

/** Sets a vault's policy as its owner (an Account): setPolicyAddress, then setPolicy; resolves to the new policy id. */
export async function setVaultPolicy(rpcUrl, vault, owner, policyAddress, policyConfig) {
  const chain = clients(rpcUrl);
  const contract = { address: vault, abi: abiOf('ExampleVault') };
  await send(chain, { ...contract, functionName: 'setPolicyAddress', args: [policyAddress] }, owner);
  await send(chain, { ...contract, functionName: 'setPolicy', args: [policyConfig] }, owner);
  return chain.publicClient.readContract({ ...contract, functionName: 'getPolicyId' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rpc: { type: 'string' }, operators: { type: 'string' }, threshold: { type: 'string', default: '67' }, out: { type: 'string', default: 'chain-contracts.json' } } });
  if (!values.rpc || !values.operators) {
    console.error('usage: node contracts/deploy.mjs --rpc URL --operators operators.json [--threshold 67] [--out chain-contracts.json]');
    process.exit(2);
  }
  const operators = JSON.parse(fs.readFileSync(values.operators, 'utf8')).map((op) => ({
    id: op.operator_id, publicKey: op.public_key, proofOfPossession: op.proof_of_possession, stake: op.stake,
  }));
  const contracts = await deployChainContracts(values.rpc, operators, Number(values.threshold));
  fs.writeFileSync(values.out, `${JSON.stringify(contracts, null, 2)}\n`);
  console.log(JSON.stringify(contracts));
}
