// InProcessTransport: an operator in the gateway's own process — a TaskEvaluator with its own
// BLS key, loading what it is told to serve from a content source and checking it by hash.
import {
  NewtonError,
  TaskEvaluator,
  policyCodeHash,
  type BlsSigner,
  type CompileOptions,
  type Hex,
  type NewtonTask,
  type PolicyDataHost,
  type PreparedData,
  type PrivacyNode,
  type SignedTaskResponse,
} from 'newton-engine';
import { fetchVerified } from './content.js';
import { operatorIdentity, type StakeInput } from './identity.js';
import type { ContentSource, OperatorIdentity, PolicyAnnouncement, Transport } from './transport.js';

export interface InProcessTransportOptions {
  signer: BlsSigner;
  /** Runs the PolicyData modules; one host may serve every in-process operator. */
  host: PolicyDataHost;
  /** Where announced policies, schemas and modules are fetched from. */
  content: ContentSource;
  stake: StakeInput;
  operatorAddress?: Hex;
  /** Opens private data (`wasmArgs._newton.privacy`). */
  privacy?: PrivacyNode;
  /** The operator's own evaluation settings, applied to every policy it compiles. */
  compileOptions?: Pick<CompileOptions, 'limits' | 'strictBuiltinErrors'>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class InProcessTransport implements Transport {
  readonly identity: OperatorIdentity;
  readonly #evaluator: TaskEvaluator;
  readonly #content: ContentSource;
  readonly #compileOptions: InProcessTransportOptions['compileOptions'];
  /** Loads by content id, in flight or done; a failed load is forgotten so it can be retried. */
  readonly #loads = new Map<string, Promise<void>>();
  /** The entrypoint and schema each policyCid is compiled with (the evaluator keys policies by cid). */
  readonly #policyVariants = new Map<string, string>();

  constructor(options: InProcessTransportOptions) {
    const { signer, host, content, stake, operatorAddress, privacy, compileOptions } = options;
    this.identity = operatorIdentity(signer, stake, operatorAddress);
    this.#evaluator = new TaskEvaluator({ signer, host, privacy });
    this.#content = content;
    this.#compileOptions = compileOptions;
  }

  async deploy(announcement: PolicyAnnouncement, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const modules = (announcement.deployment.policyData ?? []).map((source) => this.#loadPolicyData(source.wasmCid));
    await Promise.all([this.#loadPolicy(announcement), ...modules]);
    signal?.throwIfAborted();
    await this.#evaluator.setPolicy(announcement.policyClient, announcement.deployment);
  }

  async prepare(task: NewtonTask, signal: AbortSignal): Promise<PreparedData> {
    signal.throwIfAborted();
    return this.#evaluator.prepare(JSON.stringify(task)); // TaskJson takes no NewtonTask interface
  }

  async commit(task: NewtonTask, agreed: PreparedData, signal: AbortSignal): Promise<SignedTaskResponse> {
    signal.throwIfAborted();
    return this.#evaluator.commit(JSON.stringify(task), agreed);
  }

  #loadPolicy(announcement: PolicyAnnouncement): Promise<void> {
    const { deployment, entrypoint, schemaCid, policyCodeHash: codeHash } = announcement;
    const cid = deployment.policyCid;
    const variant = `${entrypoint} ${schemaCid ?? ''}`;
    const loaded = this.#policyVariants.get(cid);
    if (loaded !== undefined && loaded !== variant) {
      return Promise.reject(new NewtonError({
        code: 'NEWTON_ERR_INVALID_ARGUMENT',
        message: `policy ${cid} is already served with entrypoint and schema "${loaded}", not "${variant}"`,
      }));
    }
    this.#policyVariants.set(cid, variant);
    return this.#once(`policy ${cid}`, async () => {
      const bytes = await fetchVerified(this.#content, cid);
      const actual = policyCodeHash(bytes);
      if (actual !== codeHash.toLowerCase()) {
        throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `policy ${cid} has code hash ${actual}, announced ${codeHash}` });
      }
      const paramsSchema = schemaCid === undefined ? undefined : utf8.decode(await fetchVerified(this.#content, schemaCid));
      await this.#evaluator.addPolicy(utf8.decode(bytes), entrypoint, { ...this.#compileOptions, paramsSchema });
    }, () => this.#policyVariants.delete(cid));
  }

  #loadPolicyData(wasmCid: string): Promise<void> {
    return this.#once(`wasm ${wasmCid}`, async () => {
      await this.#evaluator.addPolicyData(await fetchVerified(this.#content, wasmCid));
    });
  }

  #once(key: string, load: () => Promise<void>, onFailure?: () => void): Promise<void> {
    let loading = this.#loads.get(key);
    if (loading === undefined) {
      loading = load().catch((err: unknown) => {
        this.#loads.delete(key);
        onFailure?.();
        throw err;
      });
      this.#loads.set(key, loading);
    }
    return loading;
  }
}
