// The commit round's signatures grouped by the digest each response hashes to, one aggregator per
// digest: the first group whose verified signatures reach the quorum is certified.
import {
  Aggregator,
  NewtonError,
  consensusDigest,
  type Certificate,
  type Hex,
  type NewtonTask,
  type NewtonTaskResponse,
  type OperatorRegistry,
  type SignedTaskResponse,
} from 'newton-engine';
import { operatorError, thrownError, type OperatorError } from './operator-errors.js';
import type { StakeTable } from './stake-table.js';
import type { OperatorIdentity } from './transport.js';

interface Signer {
  identity: OperatorIdentity;
  signed: SignedTaskResponse;
}

interface Group {
  digest: Hex;
  aggregator: Aggregator;
  /** Accepted signers by lowercase operator id (refused ones are removed). */
  signers: Map<string, Signer>;
  /** How many of the aggregator's rejections were already reported. */
  reported: number;
}

export interface Certified {
  digest: Hex;
  certificate: Certificate;
  signers: Signer[];
}

export class SignatureCollector {
  readonly #registry: OperatorRegistry;
  readonly #task: NewtonTask;
  readonly #stakes: StakeTable;
  readonly #groups = new Map<Hex, Group>();
  #certified: Certified | undefined;

  /** For `task` (its `quorumThresholdPercentage` is the threshold used). */
  constructor(registry: OperatorRegistry, task: NewtonTask, stakes: StakeTable) {
    this.#registry = registry;
    this.#task = task;
    this.#stakes = stakes;
  }

  get certified(): Certified | undefined {
    return this.#certified;
  }

  /**
   * Takes one operator's signed response: refused with an error when it is for another task, its
   * digest is not its response's, or its signature is malformed; otherwise counted towards its
   * digest's quorum. Returns the errors found (signatures that failed verification, possibly of
   * operators that answered earlier) and whether this answer completed a certificate.
   */
  async add(identity: OperatorIdentity, signed: SignedTaskResponse): Promise<OperatorError[]> {
    const response = signed.task_response as unknown as NewtonTaskResponse;
    const refuse = (code: OperatorError['error_code'], message: string) => [operatorError(identity, 'commit', code, message)];
    if (!sameHex(response.taskId, this.#task.taskId) || !sameHex(response.policyClient, this.#task.policyClient)) {
      return refuse('NEWTON_ERR_CONSENSUS_FAILED', `signed a response for task ${response.taskId} of client ${response.policyClient}`);
    }
    let digest: Hex;
    try {
      digest = consensusDigest(response);
    } catch (err) {
      return [thrownError(identity, 'commit', err)];
    }
    if (!sameHex(signed.digest, digest)) {
      return refuse('NEWTON_ERR_SIGNATURE_INVALID', `signed digest ${signed.digest}, but its response hashes to ${digest}`);
    }
    const group = this.#groups.get(digest) ?? this.#open(digest, response);
    const id = identity.operatorId.toLowerCase();
    group.signers.set(id, { identity, signed });
    let certificate: Certificate | null = null;
    let thrown: unknown;
    try {
      certificate = await group.aggregator.addAsync(identity.operatorId, signed.signature);
    } catch (err) {
      thrown = err;
    }
    const errors = this.#rejections(group);
    if (thrown !== undefined && group.signers.has(id)) {
      group.signers.delete(id);
      errors.push(thrownError(identity, 'commit', thrown));
    }
    if (certificate !== null) {
      const signers = certificate.signers.flatMap((s) => group.signers.get(s.toLowerCase()) ?? []);
      this.#certified = { digest, certificate, signers };
    }
    return errors;
  }

  /** Operators whose signed response is not the certified one. */
  disagreeing(): OperatorError[] {
    const certified = this.#certified;
    if (certified === undefined) return [];
    return [...this.#groups.values()]
      .filter((group) => group.digest !== certified.digest)
      .flatMap((group) => [...group.signers.values()])
      .map(({ identity, signed }) => operatorError(
        identity,
        'commit',
        'NEWTON_ERR_CONSENSUS_FAILED',
        `signed digest ${signed.digest}; the quorum signed ${certified.digest} (evaluation ${signed.task_response.evaluationResult as string})`,
      ));
  }

  /** Stake behind the most-signed digest so far (percent of the least-covered quorum). */
  leadingPercent(): number {
    const percents = [...this.#groups.values()].map((g) => this.#stakes.percent([...g.signers.values()].map((s) => s.identity.operatorId)));
    return Math.max(0, ...percents);
  }

  #open(digest: Hex, response: NewtonTaskResponse): Group {
    const group = { digest, aggregator: Aggregator.forTask(this.#registry, this.#task, response), signers: new Map(), reported: 0 };
    this.#groups.set(digest, group);
    return group;
  }

  /** The aggregator's new rejections as errors; their signers leave the group. */
  #rejections(group: Group): OperatorError[] {
    const rejected = group.aggregator.rejected();
    const fresh = rejected.slice(group.reported);
    group.reported = rejected.length;
    return fresh.flatMap((rejection) => {
      const id = rejection.operator_id.toLowerCase();
      const signer = group.signers.get(id);
      if (signer === undefined) return [];
      group.signers.delete(id);
      const error = new NewtonError({ code: rejection.code, message: rejection.message });
      return [thrownError(signer.identity, 'commit', error)];
    });
  }
}

const sameHex = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
