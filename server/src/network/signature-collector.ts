// The commit round's signatures grouped by the digest each operator says it signed, one aggregator
// per digest: the first group whose verified signatures reach the quorum is certified, with a
// signer's response that hashes to that digest.
import {
  Aggregator,
  NewtonError,
  type Certificate,
  type Decision,
  type Hex,
  type NewtonTask,
  type NewtonTaskResponse,
  type OperatorRegistry,
  type SignedTaskResponse,
} from 'newton-engine';
import { digestOf } from './engine-calls.js';
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
  /** The certificate's signers, in its (ascending id) order. */
  signers: Signer[];
  /** The TaskResponse whose consensus digest is the certified message, and its decision. */
  response: NewtonTaskResponse;
  decision: Decision;
}

export class SignatureCollector {
  readonly #registry: OperatorRegistry;
  readonly #task: NewtonTask;
  readonly #quorumNumbers: number[];
  readonly #stakes: StakeTable;
  readonly #groups = new Map<string, Group>();
  #certified: Certified | undefined;

  /** For `task`, whose `quorumThresholdPercentage` is the threshold used. */
  constructor(registry: OperatorRegistry, task: NewtonTask, quorumNumbers: number[], stakes: StakeTable) {
    this.#registry = registry;
    this.#task = task;
    this.#quorumNumbers = quorumNumbers;
    this.#stakes = stakes;
  }

  get certified(): Certified | undefined {
    return this.#certified;
  }

  /**
   * Takes one operator's signed response: refused when it is for another task or its signature
   * is malformed, else counted towards the quorum of the digest it claims. The aggregator checks
   * signatures once a group holds enough stake, so the errors returned may be of operators that
   * answered earlier. A signature over anything but the claimed digest never verifies, and the
   * certified response is one that hashes to the certified digest, so a claim gains a liar nothing.
   */
  async add(identity: OperatorIdentity, signed: SignedTaskResponse): Promise<OperatorError[]> {
    const response = signed.task_response as unknown as NewtonTaskResponse;
    if (!sameHex(response.taskId, this.#task.taskId) || !sameHex(response.policyClient, this.#task.policyClient)) {
      const message = `signed a response for task ${response.taskId} of client ${response.policyClient}`;
      return [operatorError(identity, 'commit', 'NEWTON_ERR_CONSENSUS_FAILED', message)];
    }
    const group = this.#group(signed.digest);
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
    if (certificate !== null) errors.push(...(await this.#certify(group, certificate)));
    return errors;
  }

  /** Operators whose signed digest is not the certified one. */
  disagreeing(): OperatorError[] {
    const certified = this.#certified;
    if (certified === undefined) return [];
    return [...this.#groups.values()]
      .filter((group) => group !== this.#groups.get(certified.digest.toLowerCase()))
      .flatMap((group) => [...group.signers.values()])
      .map(({ identity, signed }) => operatorError(
        identity,
        'commit',
        'NEWTON_ERR_CONSENSUS_FAILED',
        `signed digest ${signed.digest}; the quorum signed ${certified.digest} (evaluation ${String(signed.task_response.evaluationResult)})`,
      ));
  }

  /** Stake behind the most-signed digest so far (percent of the least-covered quorum). */
  leadingPercent(): number {
    const percents = [...this.#groups.values()].map((g) => this.#stakes.percent([...g.signers.values()].map((s) => s.identity.operatorId)));
    return Math.max(0, ...percents);
  }

  #group(digest: Hex): Group {
    const key = String(digest).toLowerCase();
    let group = this.#groups.get(key);
    if (group === undefined) {
      const threshold = this.#task.quorumThresholdPercentage;
      const aggregator = Aggregator.forMessage(this.#registry, digest, this.#quorumNumbers, threshold);
      group = { digest, aggregator, signers: new Map(), reported: 0 };
      this.#groups.set(key, group);
    }
    return group;
  }

  /**
   * Certifies `group` with the first signer whose response hashes to the certified message; the
   * signers before it sent responses that do not (they signed the digest, not what they sent).
   */
  async #certify(group: Group, certificate: Certificate): Promise<OperatorError[]> {
    const signers = certificate.signers.flatMap((s) => group.signers.get(s.toLowerCase()) ?? []);
    const errors: OperatorError[] = [];
    for (const { identity, signed } of signers) {
      const digest = await digestOf(signed.task_response).catch(() => undefined);
      if (digest !== undefined && sameHex(digest, certificate.message)) {
        const response = signed.task_response as unknown as NewtonTaskResponse;
        this.#certified = { digest: certificate.message, certificate, signers, response, decision: signed.decision };
        break;
      }
      const message = `signed ${certificate.message} but sent a response that ${digest ? `hashes to ${digest}` : 'does not parse'}`;
      errors.push(operatorError(identity, 'commit', 'NEWTON_ERR_CONSENSUS_FAILED', message));
    }
    return errors;
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
      return [thrownError(signer.identity, 'commit', new NewtonError({ code: rejection.code, message: rejection.message }))];
    });
  }
}

const sameHex = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
