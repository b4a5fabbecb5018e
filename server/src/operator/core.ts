// One operator's work behind any wire (HTTP now, NATS beside it): who it is, the gateway it
// trusts, and one round for a request — the gateway's signature checked, the announced policy
// served (its sealed secrets opened, what is new loaded and checked by hash), then prepare or
// commit on its own TaskEvaluator.
import { PolicyDataHost, PrivacyNode, generatePrivacyKey, privacyPublicKey, type BlsSigner, type Hex, type PreparedData, type SignedTaskResponse } from 'newton-engine';
import { InProcessTransport, type InProcessTransportOptions } from '../network/in-process-transport.js';
import type { StakeInput } from '../network/identity.js';
import { openSecrets } from '../network/sealed-secrets.js';
import type { ContentSource, OperatorIdentity } from '../network/transport.js';
import { OPERATOR_METHODS, checkParams, requestTaskId, type CommitParams, type OperatorMethod } from './messages.js';
import { verifyRequest } from './request-auth.js';

/** The operator id a broadcast request (one message to every operator) is addressed to. */
export const EVERY_OPERATOR: Hex = `0x${'0'.repeat(64)}`;

export interface OperatorCoreOptions {
  /** The operator's BLS key. */
  signer: BlsSigner;
  /** The address whose EIP-712 signature every request must carry (the gateway's account). */
  gatewayAddress: Hex;
  /** Where policies, schemas and modules are fetched by id (`gatewayContent(gatewayUrl)`). */
  content: ContentSource;
  /** Runs the PolicyData modules (default: a fresh host). */
  host?: PolicyDataHost;
  /** Opens private data; tasks carrying it fail without one. */
  privacy?: PrivacyNode;
  /** The X25519 secret clients' secrets are sealed to for this operator (default: a fresh one per start). */
  secretsKey?: Hex;
  /** The operator's stake (default `{ "0": 1000 }`) and account, for its identity. */
  stake?: StakeInput;
  operatorAddress?: Hex;
  compileOptions?: InProcessTransportOptions['compileOptions'];
  /** Oldest request accepted, by its `issuedAt` (default 60,000 ms). */
  maxRequestAgeMs?: number;
  /** Tolerated clock difference with the gateway (default 5,000 ms). */
  clockSkewMs?: number;
  /** The clock requests are judged by (default `Date.now`). */
  now?: () => number;
}

export class OperatorCore {
  /** Its registry entry, and the id requests must be addressed to. */
  readonly identity: OperatorIdentity;
  /** The public half of `secretsKey`, registered with the gateway. */
  readonly secretsPublicKey: Hex;
  readonly #options: OperatorCoreOptions;
  readonly #operator: InProcessTransport;
  readonly #secrets: PrivacyNode;
  /** The announcement JSON each client's policy was last set with. */
  readonly #deployed = new Map<string, string>();

  constructor(options: OperatorCoreOptions) {
    const { signer, content, privacy, stake = { 0: 1000 }, operatorAddress, compileOptions } = options;
    const host = options.host ?? new PolicyDataHost();
    this.#options = options;
    this.#operator = new InProcessTransport({ signer, host, content, privacy, stake, operatorAddress, compileOptions });
    this.identity = this.#operator.identity;
    const secretsKey = options.secretsKey ?? generatePrivacyKey().secretKey;
    this.#secrets = new PrivacyNode({ secretKeys: [secretsKey] });
    this.secretsPublicKey = privacyPublicKey(secretsKey);
  }

  /**
   * Refuses a request the trusted gateway did not sign for `to` (this operator, or EVERY_OPERATOR
   * for a broadcast), or that is stale. The digest is over JSON.stringify of the parsed params:
   * the gateway sends exactly that text, and JSON.stringify(JSON.parse(text)) === text for any
   * text JSON.stringify produced.
   */
  async authenticate(headers: Record<string, string | string[] | undefined>, method: string, params: unknown, to: Hex = this.identity.operatorId): Promise<void> {
    const taskId = requestTaskId(params) ?? EVERY_OPERATOR;
    await verifyRequest(headers, { method, taskId, operatorId: to, paramsText: JSON.stringify(params ?? null) }, {
      gateway: this.#options.gatewayAddress,
      maxAgeMs: this.#options.maxRequestAgeMs ?? 60_000,
      clockSkewMs: this.#options.clockSkewMs ?? 5_000,
      now: (this.#options.now ?? Date.now)(),
    });
  }

  /** One authenticated round: serves the announced policy (loading what is new), then runs it. */
  async run(method: OperatorMethod, params: unknown, signal: AbortSignal): Promise<PreparedData | SignedTaskResponse> {
    const checked = checkParams(method, params) as CommitParams;
    const { task, announcement } = checked;
    const key = announcement.policyClient.toLowerCase();
    const wanted = JSON.stringify(announcement);
    if (this.#deployed.get(key) !== wanted) {
      await this.#operator.deploy(await openSecrets(announcement, this.#secrets, this.identity.operatorId), signal);
      this.#deployed.set(key, wanted);
    }
    return method === OPERATOR_METHODS.prepare ? this.#operator.prepare(task, signal) : this.#operator.commit(task, checked.agreed, signal);
  }
}
