// One operator service from its configuration: the BLS keystore, the gateway it serves (its
// signing address pinned, or as the gateway reports it), where it listens (HTTP) or the bus it
// serves on (NATS), its stake, and a data directory where compiled PolicyData modules are cached
// across restarts.
import fs from 'node:fs';
import path from 'node:path';
import { BlsSigner, PolicyDataHost, generatePrivacyKey, type Hex } from 'newton-engine';
import type { FastifyServerOptions } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { pino, type LoggerOptions } from 'pino';
import { serveOnBus } from '../bus/operator-bus.js';
import type { OperatorIdentity } from '../network/transport.js';
import { gatewayContent } from './content-source.js';
import { OperatorCore, type OperatorCoreOptions } from './core.js';
import { startOperator } from './listen.js';
import { gatewayInfo, type Registration } from './registration.js';

export interface OperatorConfig {
  /** An EIP-2335 keystore file (`newton keys generate`) and its password. */
  keystore: string;
  password: string;
  /** The gateway's base URL: content comes from <url>/content, registration goes to <url>/operators. */
  gatewayUrl: string;
  /** The gateway address whose signatures are trusted; without it, the one the gateway reports. */
  gatewayAddress?: Hex;
  listenHost?: string;
  port?: number;
  /** Stake in quorum 0 (default 1000). */
  stake?: bigint | number | string;
  /** Compiled modules are cached in <dataDir>/wasm-cache; the secrets key is <dataDir>/secrets-key (made on first start). */
  dataDir: string;
  /** Elsewhere instead (a cache shared by operators on one machine; writes are atomic). */
  wasmCacheDir?: string;
  /** Hosts PolicyData may reach besides public ones (`host:port`, e.g. a local chain RPC). */
  allowHosts?: string[];
  /** How often the registration is renewed (default 10,000 ms). */
  renewMs?: number;
  /** Serve on this NATS bus (server URL) instead of listening for HTTP. */
  nats?: string;
  /** pino options (level, stream), or false for none. */
  logger?: FastifyServerOptions['logger'];
}

export interface RunningOperatorService {
  identity: OperatorIdentity;
  /** Where the gateway reaches it: `http://host:port`, or `nats:<operator id>` on the bus. */
  url: string;
  /** The gateway address it trusts, and whether it was pinned or reported by the gateway. */
  gatewayAddress: Hex;
  gatewayAddressPinned: boolean;
  registration?: Registration;
  log: FastifyBaseLogger;
  /** Lets in-flight rounds finish, then stops serving and renewing its registration. */
  close(): Promise<void>;
}

/** Starts the service and registers it; resolves once serving (registration continues in the background). */
export async function runOperator(config: OperatorConfig): Promise<RunningOperatorService> {
  const keystore = fs.readFileSync(config.keystore, 'utf8');
  const signer = await BlsSigner.fromKeystore(keystore, config.password);
  const pinned = config.gatewayAddress !== undefined;
  const info = pinned && config.nats === undefined ? undefined : await gatewayInfo(config.gatewayUrl, AbortSignal.timeout(10_000));
  const trusted = config.gatewayAddress ?? info!.gateway;
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const core: OperatorCoreOptions = {
    signer,
    secretsKey: secretsKey(config.dataDir),
    gatewayAddress: trusted,
    content: gatewayContent(config.gatewayUrl),
    host: new PolicyDataHost({ cacheDir: config.wasmCacheDir ?? path.join(config.dataDir, 'wasm-cache'), allowHosts: config.allowHosts }),
    stake: { 0: config.stake ?? 1000 },
  };
  if (config.nats !== undefined) {
    const log: FastifyBaseLogger = pino(config.logger === false || config.logger === undefined ? { enabled: config.logger !== false } : (config.logger as LoggerOptions));
    const operator = new OperatorCore(core);
    const bus = await serveOnBus({
      core: operator,
      signer,
      servers: config.nats,
      chainId: info!.chainId,
      gateway: trusted,
      renewMs: config.renewMs,
      onWarning: (message) => log.warn(message),
    });
    return { identity: operator.identity, url: bus.url, gatewayAddress: trusted, gatewayAddressPinned: pinned, registration: bus.registration, log, close: () => bus.close() };
  }
  const running = await startOperator({
    ...core,
    listenHost: config.listenHost,
    port: config.port,
    gatewayUrl: config.gatewayUrl,
    renewMs: config.renewMs,
    logger: config.logger,
  });
  const { app, identity, url, registration } = running;
  return { identity, url, gatewayAddress: trusted, gatewayAddressPinned: pinned, registration, log: app.log, close: async () => void (await app.close()) };
}

/** The operator's X25519 secret for clients' sealed secrets, kept in <dataDir>/secrets-key (0600). */
function secretsKey(dataDir: string): Hex {
  const file = path.join(dataDir, 'secrets-key');
  try {
    return fs.readFileSync(file, 'utf8').trim() as Hex;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { secretKey } = generatePrivacyKey();
  fs.writeFileSync(file, `${secretKey}\n`, { mode: 0o600, flag: 'wx' });
  return secretKey;
}
