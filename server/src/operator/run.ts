// One operator service from its configuration: the BLS keystore, the gateway it serves (its
// signing address pinned, or as the gateway reports it), where it listens, its stake, and a data
// directory where compiled PolicyData modules are cached across restarts.
import fs from 'node:fs';
import path from 'node:path';
import { BlsSigner, PolicyDataHost, generatePrivacyKey, type Hex } from 'newton-engine';
import type { FastifyServerOptions } from 'fastify';
import { gatewayContent } from './content-source.js';
import { startOperator, type RunningOperator } from './listen.js';
import { gatewayAddress } from './registration.js';

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
  logger?: FastifyServerOptions['logger'];
}

export interface RunningOperatorService extends RunningOperator {
  /** The gateway address it trusts, and whether it was pinned or reported by the gateway. */
  gatewayAddress: Hex;
  gatewayAddressPinned: boolean;
}

/** Starts the service and registers it; resolves once listening (registration continues in the background). */
export async function runOperator(config: OperatorConfig): Promise<RunningOperatorService> {
  const keystore = fs.readFileSync(config.keystore, 'utf8');
  const signer = await BlsSigner.fromKeystore(keystore, config.password);
  const pinned = config.gatewayAddress !== undefined;
  const trusted = config.gatewayAddress ?? (await gatewayAddress(config.gatewayUrl, AbortSignal.timeout(10_000)));
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const running = await startOperator({
    signer,
    secretsKey: secretsKey(config.dataDir),
    gatewayAddress: trusted,
    content: gatewayContent(config.gatewayUrl),
    host: new PolicyDataHost({ cacheDir: config.wasmCacheDir ?? path.join(config.dataDir, 'wasm-cache'), allowHosts: config.allowHosts }),
    stake: { 0: config.stake ?? 1000 },
    listenHost: config.listenHost,
    port: config.port,
    gatewayUrl: config.gatewayUrl,
    renewMs: config.renewMs,
    logger: config.logger,
  });
  return { ...running, gatewayAddress: trusted, gatewayAddressPinned: pinned };
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
