// The gateway's services, opened from one data directory: the store, the block clock, the
// privacy store and keys, the gateway's signing account, the task events and (when plugged in)
// the operator network with its attestation validator.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { AttestationValidator, PolicyDataHost, PrivacyNode, PrivacyStore, type Hex, type OperatorRegistry } from 'newton-engine';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { ChainMode, type ChainOptions } from './chain/index.js';
import { BlockClock, type BlockClockOptions, type Clock } from './clock.js';
import { loadKeyMaterial, operatorSigners } from './key-material.js';
import { localNetwork } from './local-network.js';
import { GatewayLog } from './log/gateway-log.js';
import type { LogSinkOptions } from './log/sink.js';
import type { NetworkSettings } from './network/operator-network.js';
import { RegisteredOperators } from './network/registered-operators.js';
import { RpcError } from './rpc/errors.js';
import { SignatureRecovery } from './signatures.js';
import { PostgresStore } from './store/postgres.js';
import { SqliteStore } from './store/sqlite.js';
import type { GatewayStore } from './store/store.js';
import { SandboxPool, type SandboxPoolOptions } from './sandbox/index.js';
import type { TaskNetwork } from './tasks/network.js';
import type { TaskUpdate } from './tasks/results.js';
import { TaskService } from './tasks/service.js';

export { ALL_TASKS } from './tasks/service.js';

export interface GatewayOptions extends BlockClockOptions {
  /** Holds gateway.db, spent.db, privacy.db and gateway-keys.json (created if missing). */
  dataDir: string;
  /**
   * A postgres:// URL: the gateway store (PostgresStore, migrated at open) and the privacy store
   * (its privacy_* tables) live in that database instead of gateway.db and privacy.db.
   */
  database?: string;
  /**
   * The gateway's keys (signing, privacy, secrets) instead of <dataDir>/gateway-keys.json: gateways
   * serving one network share this file, so operators trust them all and any opens what clients sealed.
   */
  keysFile?: string;
  /** The operators tasks run on; without one the task methods answer NEWTON_ERR_UNAVAILABLE. */
  network?: TaskNetwork;
  /** Without `network`: run this many in-process operators (keys kept in the data directory). */
  operators?: number;
  /**
   * Without `network` and `operators`: operator services register themselves at POST /operators
   * (`newton operator start`); only these operator ids are admitted, or any with 'any'. The set
   * is kept in the data directory's operators.json.
   */
  admitOperators?: 'any' | Hex[];
  /** With `admitOperators`: NATS server URL(s); operators may then register and serve on the bus. */
  nats?: string | string[];
  /** With `admitOperators`: the network's round timeouts, consensus tolerance and default quorum (default NETWORK_DEFAULTS). */
  networkSettings?: Partial<NetworkSettings>;
  /** The PolicyData host (default: a new one); share the operators' to compile each module once. */
  host?: PolicyDataHost;
  /** The sandbox for callers' Rego, started on first use (default: 2 workers). */
  sandbox?: Omit<SandboxPoolOptions, 'policyDataDir'>;
  /** Ship decision-log entries to this HTTP endpoint in signed batches (a URL, or the sink's options). */
  logSink?: string | LogSinkOptions;
  /**
   * Chain mode (server/src/chain): the block clock is this chain's, clients' policies are read from
   * their contracts, and certified responses are posted to its TaskResponseHandler.
   */
  chain?: ChainOptions;
}

/** Task progress, per task id: `events.on(taskId, (update: TaskUpdate) => …)`, and every task's on ALL_TASKS. */
export type TaskEvents = EventEmitter<Record<string, [TaskUpdate]>>;

export class Gateway {
  readonly events: TaskEvents = new EventEmitter();
  readonly tasks: TaskService = new TaskService(this);
  /** EIP-712 signer recovery (intent and owner signatures) on worker threads. */
  readonly signatures = new SignatureRecovery();
  #validator?: { registry: OperatorRegistry; validator: AttestationValidator };
  #sandbox?: Promise<SandboxPool>;
  /** Components known to be in policyDataDir. */
  readonly #policyDataFiles = new Set<string>();

  private constructor(
    readonly dataDir: string,
    readonly store: GatewayStore,
    readonly clock: Clock,
    readonly privacyStore: PrivacyStore,
    readonly privacyNode: PrivacyNode,
    readonly secretsNode: PrivacyNode,
    readonly account: PrivateKeyAccount,
    /** The signed, append-only log of every task outcome (server/src/log). */
    readonly log: GatewayLog,
    readonly network: TaskNetwork | undefined,
    /** Checks uploaded PolicyData and runs newt_simulatePolicyData (compiled artifacts cached in the data directory). */
    readonly host: PolicyDataHost,
    /** Chain mode's connection, or undefined off chain. */
    readonly chain: ChainMode | undefined,
    private readonly sandboxOptions: NonNullable<GatewayOptions['sandbox']> = {},
  ) {
    this.events.setMaxListeners(0);
  }

  static async open(options: GatewayOptions): Promise<Gateway> {
    fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const keys = loadKeyMaterial(options.dataDir, options.keysFile);
    const store = options.database ? await PostgresStore.open(options.database) : new SqliteStore(path.join(options.dataDir, 'gateway.db'));
    let chain: ChainMode | undefined;
    try {
      chain = options.chain && (await ChainMode.open(options.chain, keys.gatewayPrivateKey));
      if (chain && options.chainId !== undefined && options.chainId !== chain.clock.chainId) {
        throw new RangeError(`chainId ${options.chainId} is not the chain's (${chain.clock.chainId})`);
      }
      const clock = chain?.clock ?? (await BlockClock.open(store, options));
      // On `database` the privacy store lives there too (tables privacy_*), so gateways sharing it share identities, links and grants.
      const privacyStore = await PrivacyStore.open(options.database ?? path.join(options.dataDir, 'privacy.db'), clock.chainId);
      const privacyNode = new PrivacyNode({ secretKeys: [keys.privacySecretKey], store: privacyStore });
      const secretsNode = new PrivacyNode({ secretKeys: [keys.secretsSecretKey] });
      const account = privateKeyToAccount(keys.gatewayPrivateKey);
      const sink = typeof options.logSink === 'string' ? { url: options.logSink } : options.logSink;
      const log = await GatewayLog.open(store, keys.gatewayPrivateKey, account.address, sink);
      const host = options.host ?? new PolicyDataHost({ cacheDir: path.join(options.dataDir, 'wasm-cache') });
      const network = options.network
        ?? (options.operators ? await localNetwork(store, host, privacyNode, operatorSigners(options.dataDir, options.operators))
          : options.admitOperators ? await RegisteredOperators.open({ account: { address: account.address, secretKey: keys.gatewayPrivateKey }, allow: options.admitOperators, file: path.join(options.dataDir, 'operators.json'), chainId: clock.chainId, settings: options.networkSettings, nats: options.nats, onWarning: (message) => process.emitWarning(message, 'NewtonBusWarning') })
            : undefined);
      fs.mkdirSync(path.join(options.dataDir, 'policy-data'), { recursive: true });
      const gateway = new Gateway(options.dataDir, store, clock, privacyStore, privacyNode, secretsNode, account, log, network, host, chain, options.sandbox);
      // Gateways on one bus (and one database) share task progress and the chain's height.
      const bus = network instanceof RegisteredOperators ? network.bus : undefined;
      bus?.shareTaskUpdates(gateway.events);
      if (clock instanceof BlockClock) bus?.shareClock(clock);
      return gateway;
    } catch (err) {
      chain?.close();
      await store.close();
      throw err;
    }
  }

  /** The operator network, or NEWTON_ERR_UNAVAILABLE (Newton's "No operators available"). */
  requireNetwork(): TaskNetwork {
    if (!this.network || this.network.operatorCount === 0) throw new RpcError('NEWTON_ERR_UNAVAILABLE', 'No operators available');
    return this.network;
  }

  /** Where published PolicyData components are kept as `<wasm_cid>.wasm` (the sandbox reads them). */
  get policyDataDir(): string {
    return path.join(this.dataDir, 'policy-data');
  }

  /**
   * Makes sure `<policyDataDir>/<cid>.wasm` is there for the sandbox: a gateway sharing the store
   * with another may not have published the component itself. NEWTON_ERR_NOT_FOUND if the store
   * has no such content.
   */
  async policyDataFile(cid: string): Promise<void> {
    if (this.#policyDataFiles.has(cid)) return;
    const file = path.join(this.policyDataDir, `${cid}.wasm`);
    if (!fs.existsSync(file)) {
      const bytes = await this.store.content(cid);
      if (!bytes) throw new RpcError('NEWTON_ERR_NOT_FOUND', `component ${cid} is not in the store`);
      const temp = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(temp, bytes);
      await fs.promises.rename(temp, file);
    }
    this.#policyDataFiles.add(cid);
  }

  /** The crash-contained worker pool for callers' Rego, started on first use. */
  sandbox(): Promise<SandboxPool> {
    this.#sandbox ??= SandboxPool.start({
      workers: 2,
      ...this.sandboxOptions,
      policyDataDir: this.policyDataDir,
      jobModules: [...(this.sandboxOptions.jobModules ?? []), new URL('./compile-job.js', import.meta.url).href],
    });
    this.#sandbox.catch(() => (this.#sandbox = undefined));
    return this.#sandbox;
  }

  /** The attestation validator over the network's current registry and the spent store (spent.db). */
  validator(): AttestationValidator {
    const registry = this.requireNetwork().registry;
    if (this.#validator?.registry !== registry) {
      this.#validator = { registry, validator: new AttestationValidator(registry, path.join(this.dataDir, 'spent.db')) };
    }
    return this.#validator.validator;
  }

  /** Finishes (or, after `graceMs`, fails) in-flight tasks, then closes the network and the store. */
  async close(graceMs?: number): Promise<void> {
    await this.tasks.close(graceMs);
    await this.log.close();
    this.events.removeAllListeners();
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    await sandbox?.then((pool) => pool.close(), () => undefined);
    await this.signatures.close();
    await this.network?.close?.();
    this.chain?.close();
    await this.store.close();
  }
}
