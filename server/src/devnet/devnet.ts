// A devnet on one machine: a gateway (in this process, on loopback) admitting exactly the devnet's
// operators, N operator processes (keystores made on first start in the data directory) reached
// over HTTP or, with `nats`, a local nats-server, a fixture chain RPC for the gas-price oracle,
// and an API key for an owner generated per run. The network page (/ui) is open, and operators
// renew their registrations every second so a stopped one shows as down within 3 s.
// With `chain`, the gateway runs in chain mode on a local anvil (./chain.ts) holding the Newton
// contracts, the operators registered on it and the example vault as the policy client.
// `close` stops the operators, the gateway, the chain and the fixture server, and removes a
// temporary data directory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NewtonClient, PolicyDataHost, type Hex } from 'newton-engine';
import { keccak256, parseEther, type PrivateKeyAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createApiKey } from '../api-keys.js';
import type { Gateway } from '../gateway.js';
import { createGateway } from '../index.js';
import { ALL_TASKS } from '../tasks/service.js';
import type { TaskUpdate } from '../tasks/results.js';
import type { OperatorResponse } from '../network/events.js';
import { startNatsServer, type NatsServer } from '../bus/nats-server.js';
import { startDevnetChain, type DevnetChain } from './chain.js';
import { chainTour } from './chain-tour.js';
import { startFixtureChainRpc, type FixtureChainRpc } from './fixture-chain-rpc.js';
import { OperatorProcesses, operatorKeystores, type OperatorProcess } from './operator-processes.js';
import { publishExamples } from './publish.js';
import { devnetTour } from './tour.js';

export const DEVNET_CHAIN_ID = 11_155_111;
/** Operators' registration renewal; the page marks one down after three missed. */
const RENEW_MS = 1_000;

export interface DevnetOptions {
  /** Operator processes (default 4). */
  operators?: number;
  host?: string;
  /** Default 8545; 0 picks a free port. */
  port?: number;
  /** Keeps keys, registry and tasks across runs; default a temporary directory removed on close. */
  dataDir?: string;
  /** The repository (examples/ and node_modules/.cache); default the one this package is in. */
  repoRoot?: string;
  /** Gateway and operator log level (default warn; logs go to stderr). */
  logLevel?: string;
  /** Operators on a NATS bus: a local nats-server is started (it must be installed) instead of HTTP. */
  nats?: boolean;
  /** Requests per API key per minute (default 100,000: a local devnet is for load too; a gateway's own default is 600). */
  rateLimitMax?: number;
  /** Chain mode on a local anvil: the contracts deployed, the operators registered, the example vault. */
  chain?: boolean;
  /** Progress while starting. */
  progress?: (line: string) => void;
}

export interface Devnet {
  /** The gateway's base URL (JSON-RPC at /rpc, task progress at /ws). */
  url: string;
  /** The network page. */
  pageUrl: string;
  apiKey: string;
  /** The API key's owner: a key generated for this run. */
  owner: PrivateKeyAccount;
  gateway: Gateway;
  operators: OperatorProcesses;
  chainRpc: FixtureChainRpc;
  /** With `nats`: the local nats-server. */
  natsServer?: NatsServer;
  /** With `chain`: the anvil chain, its contracts and the example vault (owned by `owner`). */
  chain?: DevnetChain & { vault: Hex; policyAddress: Hex; policyId: Hex };
  dataDir: string;
  /** Runs the scripted tour (publishing the examples first), printing with `log`. */
  tour(log?: (line: string) => void): Promise<void>;
  close(): Promise<void>;
}

const defaultRoot = fileURLToPath(new URL('../../../', import.meta.url));

export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const count = options.operators ?? 4;
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new RangeError(`a devnet has 1 to 64 operators, not ${count}`);
  const progress = options.progress ?? (() => {});
  const root = resolve(options.repoRoot ?? defaultRoot);
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'newton-devnet-'));
  const logLevel = options.logLevel ?? 'warn';
  // Compiled PolicyData outlives a temporary data directory: the oracle compiles once, not per run.
  const wasmCacheDir = join(root, 'node_modules/.cache/newton-devnet-wasm');
  const cleanup: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const chainRpc = await startFixtureChainRpc({ chainId: DEVNET_CHAIN_ID, gasPriceWei: 12_500_000_000n });
    cleanup.push(() => chainRpc.close());
    const natsServer = options.nats ? await startNatsServer() : undefined;
    if (natsServer) {
      cleanup.push(() => natsServer.stop());
      progress(`nats-server ${natsServer.url} (pid ${natsServer.pid})`);
    }
    const keystores = await operatorKeystores(dataDir, count);
    const chain = options.chain ? await startDevnetChain(root, dataDir, keystores) : undefined;
    if (chain) {
      cleanup.push(() => chain.stop());
      progress(`anvil ${chain.rpcUrl} (chain ${chain.contracts.chainId}): OperatorRegistry ${chain.contracts.operatorRegistry} with ${count} operators, TaskResponseHandler ${chain.contracts.taskResponseHandler}`);
    }
    const admitted = keystores.files.map((file) => keccak256(`0x${(JSON.parse(readFileSync(file, 'utf8')) as { pubkey: string }).pubkey}`));
    const policyData = { allowHosts: [chainRpc.hostPort], cacheDir: wasmCacheDir };
    const { gateway, app } = await createGateway({
      dataDir,
      ...(chain ? { chain: { rpcUrl: chain.rpcUrl, contracts: chain.contracts, pollingIntervalMs: 250 } } : { chainId: DEVNET_CHAIN_ID }),
      admitOperators: admitted,
      nats: natsServer?.url,
      host: new PolicyDataHost(policyData),
      sandbox: { policyData },
      rateLimitMax: options.rateLimitMax ?? 100_000,
      logger: logLevel === 'silent' ? false : { level: logLevel },
      ui: { open: true },
      livenessWindowMs: 3 * RENEW_MS,
    });
    cleanup.push(() => app.close());
    await chain?.fund(gateway.account.address, parseEther('1000')); // it posts the responses
    const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8545 });
    const pageUrl = `${url}/ui/`;
    progress(`gateway ${url} (chain ${gateway.clock.chainId}${chain ? ', chain mode' : ''}, signing as ${gateway.account.address}), starting ${count} operator processes`);
    progress(`network page ${pageUrl}`);

    const operators = await OperatorProcesses.start(
      { count, dataDir, gatewayUrl: url, gatewayAddress: gateway.account.address, allowHosts: [chainRpc.hostPort], wasmCacheDir, logLevel, nats: natsServer?.url, renewMs: RENEW_MS },
      (op) => progress(`operator ${op.index} ${op.operatorId.slice(0, 10)}… on ${op.url} (pid ${op.child.pid}) admitted`),
    );
    cleanup.push(() => operators.stop());

    const owner = privateKeyToAccount(generatePrivateKey());
    const { key } = await createApiKey(gateway.store, { permissions: ['read', 'write'], owner: owner.address });
    const client = new NewtonClient({ url: `${url}/rpc`, apiKey: key });
    const vault = chain && { ...chain, ...(await chain.deployVault(client, owner)) };
    if (vault) progress(`ExampleVault ${vault.vault} (policy client, 100 ETH, owner ${owner.address}), policy ${vault.policyAddress}, policy id ${vault.policyId}`);

    // Every task's operator answers, from its final update, for the tour's vote lines.
    const finished = new Map<string, OperatorResponse[]>();
    const onUpdate = (update: TaskUpdate) => {
      if (update.event !== 'aggregated' && update.event !== 'failed') return;
      finished.set(update.task_id.toLowerCase(), update.data.operator_responses);
      if (finished.size > 1000) finished.delete(finished.keys().next().value!);
    };
    gateway.events.on(ALL_TASKS, onUpdate);

    const tour = async (log: (line: string) => void = console.log) => {
      if (vault) return chainTour({ client, chain: vault, log }); // the registry tour registers clients at the gateway: not in chain mode
      log('\n== publish the examples (newton_publishPolicyData, newton_publishPolicy)');
      const published = await publishExamples(client, owner.address, {
        examplesDir: join(root, 'examples'),
        buildCacheDir: join(root, 'node_modules/.cache/newton-policy-data'),
        log,
      });
      const names = new Map(operators.running.map((op) => [op.operatorId.toLowerCase(), `operator ${op.index}`]));
      let down: OperatorProcess | undefined;
      await devnetTour({
        client,
        owner,
        chainId: DEVNET_CHAIN_ID,
        published,
        chainRpc,
        log,
        votes: (taskId: Hex) => finished.get(taskId.toLowerCase()),
        operators: {
          names,
          kill: async () => {
            down = operators.running.at(-1)!;
            await operators.kill(down.index);
            return `operator ${down.index}`;
          },
          restart: async () => void (down && (await operators.start(down.index))),
        },
      });
    };
    return { url, pageUrl, apiKey: key, owner, gateway, operators, chainRpc, natsServer, chain: vault, dataDir, tour, close };
  } catch (err) {
    await close();
    throw err;
  }
}
