// Shared by the commands that talk to a running gateway (policy-data|policy publish, policy-client,
// task submit, attestation spend): --gateway and --api-key, the signing key options, one
// NewtonClient per run, and the gateway's JSON-RPC errors as NewtonErrors with their NEWTON_ERR_*
// code (exit 1; an unreachable gateway is NEWTON_ERR_UNAVAILABLE, a silent one NEWTON_ERR_TIMEOUT).
import { Option, type Command } from 'commander';
import { keccak256, toHex, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { NewtonClient, NewtonRpcError, signOwnerAuthorization, type OwnerAuthorization, type OwnerMessageType } from '../client.js';
import { NewtonError, type ErrorCode } from '../errors.js';
import { matching, positiveInt, usage } from './exit.js';
import { readJson, readText } from './files.js';
import { formatOption, type Format } from './output.js';
import { signer } from './registry-args.js';

export const DEFAULT_GATEWAY = 'http://127.0.0.1:8545';

export const address = matching(/^0x[0-9a-fA-F]{40}$/, 'a 0x address');
export const bytes32 = matching(/^0x[0-9a-fA-F]{64}$/, '32 bytes of 0x hex');

export interface GatewayFlags {
  gateway: string;
  apiKey?: string;
  format: Format;
}

/** Adds --gateway, --api-key and --format (last, after the command's own options). */
export function withGateway(command: Command): Command {
  return command
    .addOption(new Option('--gateway <URL>', "the gateway; its JSON-RPC endpoint is URL/rpc").env('NEWTON_GATEWAY_URL').default(DEFAULT_GATEWAY))
    .addOption(new Option('--api-key <KEY>', 'the API key (prefer the environment: argv is visible to other users)').env('NEWTON_API_KEY'))
    .addOption(formatOption('pretty'));
}

export interface DeadlineFlags {
  deadline: number;
}

/** `--deadline SECONDS`: how long a signed authorization stays valid. */
export const deadlineOption = () =>
  new Option('--deadline <SECONDS>', 'how long the signature stays valid').argParser(positiveInt).default(3600);

export interface OwnerKeyFlags extends DeadlineFlags {
  ownerKey?: string;
}

/** `--owner-key FILE` (else $NEWTON_OWNER_KEY) and `--deadline`, for the owner-signed registry writes. */
export function withOwnerKey(command: Command): Command {
  return command
    .option('--owner-key <FILE>', "the owner's secp256k1 private key, 0x hex on the first line (default $NEWTON_OWNER_KEY, the key itself)")
    .addOption(deadlineOption());
}

/** The owner's account: `--owner-key FILE`, else the key in $NEWTON_OWNER_KEY. Never echoes the key. */
export function ownerAccount(flags: OwnerKeyFlags): PrivateKeyAccount {
  if (flags.ownerKey !== undefined) return signer(flags.ownerKey);
  const key = process.env.NEWTON_OWNER_KEY?.trim();
  if (!key) throw usage("no owner key: pass --owner-key FILE or set NEWTON_OWNER_KEY (a 0x secp256k1 private key)");
  try {
    return privateKeyToAccount((key.startsWith('0x') ? key : `0x${key}`) as Hex);
  } catch {
    throw usage('NEWTON_OWNER_KEY does not hold a secp256k1 private key');
  }
}

/** The JSON-RPC endpoint of `--gateway`: URL/rpc (a URL already ending in /rpc is kept). */
export function rpcUrl(gateway: string): string {
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw usage(`--gateway ${gateway} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(`--gateway ${gateway} is not an http(s) URL`);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/rpc') ? path : `${path}/rpc`;
  return url.href;
}

/** A gateway for one run: calls through NewtonClient, errors as NewtonErrors. */
export class GatewayConnection {
  readonly url: string;
  readonly #client: NewtonClient;
  readonly #timeoutMs: number;

  constructor(flags: GatewayFlags, options: { timeoutMs?: number } = {}) {
    this.url = rpcUrl(flags.gateway);
    if (!flags.apiKey) throw usage('no API key: pass --api-key KEY or set NEWTON_API_KEY (`newton gateway keys create` makes one)');
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#client = new NewtonClient({ url: this.url, apiKey: flags.apiKey, timeoutMs: this.#timeoutMs });
  }

  /** Runs `fn` on the client; a JSON-RPC error or a network failure rejects with a NewtonError. */
  async call<T>(fn: (client: NewtonClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#client);
    } catch (err) {
      throw this.#error(err);
    }
  }

  /** `account`'s signature of a write, with its next gateway nonce on the gateway's chain. */
  async authorize(account: PrivateKeyAccount, type: OwnerMessageType, message: Record<string, unknown>, flags: DeadlineFlags): Promise<OwnerAuthorization> {
    const [{ chain_id: chainId }, { gateway_nonce: nonce }] = await this.call((c) => Promise.all([c.blockNumber(), c.getNonce(account.address)]));
    const deadline = Math.floor(Date.now() / 1000) + flags.deadline;
    return signOwnerAuthorization(account, type, message, { chainId, nonce, deadline });
  }

  #error(err: unknown): unknown {
    if (err instanceof NewtonRpcError) return new NewtonError({ code: err.code as ErrorCode, message: err.message, details: err.details });
    if (!(err instanceof Error)) return err;
    if (err.name === 'TimeoutError') {
      return new NewtonError({ code: 'NEWTON_ERR_TIMEOUT', message: `the gateway at ${this.url} did not answer within ${this.#timeoutMs / 1000} s` });
    }
    if (err instanceof TypeError && err.message === 'fetch failed') {
      const cause = err.cause as NodeJS.ErrnoException | undefined;
      return new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: `cannot reach the gateway at ${this.url}: ${cause?.code ?? cause?.message ?? err.message}` });
    }
    if (err instanceof SyntaxError) return new NewtonError({ code: 'NEWTON_ERR_UNAVAILABLE', message: `${this.url} did not answer with JSON-RPC` });
    return err;
  }
}

/** A JSON file that must hold an object (a schema). */
export function readJsonObject(path: string): Record<string, unknown> {
  const value = readJson(path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_JSON', message: `${path} does not hold a JSON object` });
  }
  return value as Record<string, unknown>;
}

/**
 * `--params JSON|@FILE` as the exact text the gateway stores and the owner signs (trimmed; `{}`
 * when absent); it must be a JSON object. Sent as text, so big numbers stay exact.
 */
export function paramsText(value: string | undefined): string {
  const text = value === undefined ? '{}' : (value.startsWith('@') ? readText(value.slice(1)) : value).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usage(`--params is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw usage('--params must be a JSON object');
  return text;
}

/** keccak256 of the params' UTF-8 text: the `policyParamsHash` owner authorizations sign. */
export const paramsHash = (text: string): Hex => keccak256(toHex(text));
