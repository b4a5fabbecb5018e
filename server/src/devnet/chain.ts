// `newton devnet --chain`: a local Prague EVM (anvil, contracts/anvil.mjs) with the Newton
// contracts deployed (contracts/deploy.mjs) and the devnet's operators registered on it with the
// keys of their keystores, and — once the gateway runs — the example vault as the devnet's
// policy client, funded, its policy published at the gateway and set on the vault by the owner.
// The contracts' scripts live in the repository (solc and anvil are its dev dependencies), so
// they are loaded from there at run time.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlsSigner, type Hex, type NewtonClient } from 'newton-engine';
import { keccak256, parseEther, stringToHex, type Account } from 'viem';
import type { ChainContracts } from '../chain/index.js';

/** The vault's policy: a withdraw of at most `max_amount` wei is allowed. */
export const VAULT_POLICY = `package vault
import rego.v1

default allow := false

allow if {
  input.function.name == "withdraw"
  to_number(input.decoded_function_arguments[0]) <= data.params.max_amount
}
`;
/** The vault's policy config: at most 5 ether per withdraw, attestations valid 20 blocks. */
export const VAULT_POLICY_CONFIG = { policyParams: stringToHex(JSON.stringify({ max_amount: 5e18 })), expireAfter: 20 };

interface ContractScripts {
  startAnvil(): Promise<{ rpcUrl: string; stop(): Promise<void> }>;
  deployChainContracts(rpcUrl: string, operators: unknown[], threshold: number): Promise<ChainContracts>;
  deployVault(rpcUrl: string, handler: Hex, owner: Hex, wei: bigint): Promise<Hex>;
  setVaultPolicy(rpcUrl: string, vault: Hex, owner: Account, policyAddress: Hex, config: typeof VAULT_POLICY_CONFIG): Promise<Hex>;
  clients(rpcUrl: string): { testClient: { setBalance(args: { address: Hex; value: bigint }): Promise<void> } };
}

async function contractScripts(root: string): Promise<ContractScripts> {
  const load = (file: string) => import(pathToFileURL(path.join(root, 'contracts', file)).href);
  const [anvil, deploy, chain] = await Promise.all([load('anvil.mjs'), load('deploy.mjs'), load('chain.mjs')]);
  return { ...anvil, ...deploy, ...chain } as ContractScripts;
}

export interface DevnetChain {
  rpcUrl: string;
  contracts: ChainContracts;
  /** <dataDir>/chain-contracts.json: what `newton gateway start --chain-contracts` takes. */
  contractsFile: string;
  /** Sets an account's balance (anvil_setBalance). */
  fund(address: Hex, wei: bigint): Promise<void>;
  /** The example vault: deployed, funded with 100 ether, its policy published and set by `owner`. */
  deployVault(client: NewtonClient, owner: Account): Promise<{ vault: Hex; policyAddress: Hex; policyId: Hex }>;
  stop(): Promise<void>;
}

/** Starts anvil and deploys the contracts with the keystores' operators (stake 1,000 each, quorum 67 %). */
export async function startDevnetChain(root: string, dataDir: string, keystores: { files: string[]; password: string }): Promise<DevnetChain> {
  const scripts = await contractScripts(root);
  const anvil = await scripts.startAnvil();
  try {
    const operators = await Promise.all(
      keystores.files.map(async (file) => {
        const signer = await BlsSigner.fromKeystore(fs.readFileSync(file, 'utf8'), keystores.password);
        return { id: keccak256(signer.publicKey), publicKey: signer.publicKey, proofOfPossession: signer.proofOfPossession(), stake: 1000 };
      }),
    );
    const contracts = await scripts.deployChainContracts(anvil.rpcUrl, operators, 67);
    const contractsFile = path.join(dataDir, 'chain-contracts.json');
    fs.writeFileSync(contractsFile, `${JSON.stringify(contracts, null, 2)}\n`);
    const { testClient } = scripts.clients(anvil.rpcUrl);
    const fund = (address: Hex, value: bigint) => testClient.setBalance({ address, value });
    return {
      rpcUrl: anvil.rpcUrl,
      contracts,
      contractsFile,
      fund,
      stop: anvil.stop,
      async deployVault(client, owner) {
        await fund(owner.address, parseEther('10'));
        const vault = await scripts.deployVault(anvil.rpcUrl, contracts.taskResponseHandler, owner.address, parseEther('100'));
        const { policy_address: policyAddress } = await client.publishPolicy({ owner: owner.address, policy: VAULT_POLICY, entrypoint: 'vault.allow' });
        const policyId = await scripts.setVaultPolicy(anvil.rpcUrl, vault, owner, policyAddress, VAULT_POLICY_CONFIG);
        return { vault, policyAddress, policyId };
      },
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}
