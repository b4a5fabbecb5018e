// HttpTransport: an operator reached over HTTP (the operator service, server/src/operator). Each
// round is one JSON-RPC POST to <url>/rpc signed with the gateway's secp256k1 key (EIP-712, see
// operator/request-auth.ts); the announcement of the task's client travels with it, its secrets
// sealed to the operator's key (sealed-secrets.ts). Connection failures are
// NEWTON_ERR_OPERATOR_UNAVAILABLE, the round's end or `timeouts` NEWTON_ERR_OPERATOR_TIMEOUT, and
// the operator's own errors keep their NEWTON_ERR_* code.
import { NewtonError, type ErrorCode, type Hex, type NewtonTask, type PreparedData, type SignedTaskResponse } from 'newton-engine';
import { OPERATOR_METHODS, type OperatorMethod } from '../operator/messages.js';
import { authHeaders, signRequest, type RequestSigner } from '../operator/request-auth.js';
import { sealSecrets } from './sealed-secrets.js';
import type { OperatorIdentity, PolicyAnnouncement, Transport } from './transport.js';

export interface HttpTransportOptions {
  /** The operator service's base URL, e.g. `http://127.0.0.1:9545`. */
  url: string | URL;
  /** Who the operator is (its registry entry); requests are addressed to `identity.operatorId`. */
  identity: OperatorIdentity;
  /** The gateway's signing account (`Gateway.account`, from `gateway-keys.json`). */
  account: RequestSigner;
  /** Per-round limits in ms, on top of the round's own (default: the round's only). */
  timeouts?: { prepareMs?: number; commitMs?: number };
  /** How long a signed request stays valid (default 60,000 ms; the operator also caps its age). */
  requestTtlMs?: number;
  /** The X25519 key the operator registered: clients' secrets are sealed to it (none: clients with secrets fail on it). */
  secretsPublicKey?: Hex;
  /** The chain sealed secrets are bound to (default 11155111). */
  chainId?: number;
}

const unavailable = (message: string) => new NewtonError({ code: 'NEWTON_ERR_OPERATOR_UNAVAILABLE', message });
const timedOut = (message: string) => new NewtonError({ code: 'NEWTON_ERR_OPERATOR_TIMEOUT', message });

export class HttpTransport implements Transport {
  readonly identity: OperatorIdentity;
  readonly url: URL;
  readonly #account: RequestSigner;
  readonly #timeouts: NonNullable<HttpTransportOptions['timeouts']>;
  readonly #ttlMs: number;
  readonly #secrets: { publicKey: Hex | undefined; chainId: number; operator: string };
  /** The announcement each client's tasks carry (its secrets sealed to this operator), by lowercase policyClient. */
  readonly #announcements = new Map<string, Promise<PolicyAnnouncement>>();
  #nextId = 1;

  constructor(options: HttpTransportOptions) {
    this.identity = options.identity;
    this.url = new URL('rpc', String(options.url).endsWith('/') ? options.url : `${String(options.url)}/`);
    this.#account = options.account;
    this.#timeouts = options.timeouts ?? {};
    this.#ttlMs = options.requestTtlMs ?? 60_000;
    this.#secrets = { publicKey: options.secretsPublicKey, chainId: options.chainId ?? 11_155_111, operator: options.identity.operatorId };
  }

  /**
   * Keeps the announcement to send with the client's tasks, its secrets sealed to the operator
   * once here: the operator loads (and checks) the content on its first task, so a bad
   * announcement surfaces in that task's operator_errors.
   */
  async deploy(announcement: PolicyAnnouncement, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const sealed = sealSecrets(announcement, this.#secrets);
    sealed.catch(() => undefined); // rejected here, and again for each task that needs it
    this.#announcements.set(announcement.policyClient.toLowerCase(), sealed);
    await sealed;
  }

  prepare(task: NewtonTask, signal: AbortSignal): Promise<PreparedData> {
    return this.#call(OPERATOR_METHODS.prepare, task, {}, signal, this.#timeouts.prepareMs);
  }

  commit(task: NewtonTask, agreed: PreparedData, signal: AbortSignal): Promise<SignedTaskResponse> {
    return this.#call(OPERATOR_METHODS.commit, task, { agreed }, signal, this.#timeouts.commitMs);
  }

  async #call<T>(method: OperatorMethod, task: NewtonTask, extra: object, outer: AbortSignal, timeoutMs: number | undefined): Promise<T> {
    outer.throwIfAborted();
    const announcement = await this.#announcements.get(task.policyClient.toLowerCase());
    if (announcement === undefined) {
      throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `policy client ${task.policyClient} has no policy on this operator` });
    }
    const paramsText = JSON.stringify({ task, announcement, ...extra });
    const auth = await signRequest(this.#account, { method, taskId: task.taskId, operatorId: this.identity.operatorId, paramsText }, this.#ttlMs);
    const id = this.#nextId++;
    const body = `{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${paramsText}}`;
    const signal = timeoutMs === undefined ? outer : AbortSignal.any([outer, AbortSignal.timeout(timeoutMs)]);
    let reply: { result?: T; error?: { message?: string; data?: { code?: string } } };
    try {
      const response = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders(auth) }, body, signal });
      reply = (await response.json()) as typeof reply;
    } catch (err) {
      if (signal.aborted) throw timedOut(`${method}: no answer from ${this.url.origin} before the round ended`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw unavailable(`${method}: ${this.url.origin} unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`);
    }
    if (reply?.error) {
      const code = (reply.error.data?.code ?? 'NEWTON_ERR_INTERNAL') as ErrorCode;
      throw new NewtonError({ code, message: reply.error.message ?? `${method} failed` });
    }
    if (reply?.result === undefined) throw unavailable(`${method}: ${this.url.origin} answered without a result`);
    return reply.result;
  }
}
