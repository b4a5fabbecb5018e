// OperatorNetwork: the gateway's side of Newton's two-phase consensus over a set of operators —
// announcing policies to them and running tasks to a quorum certificate or a failure.
import { hexToBytes, type NewtonTask, type OperatorRegistry } from 'newton-engine';
import type { TaskEvent } from './events.js';
import { thrownError, operatorError, type OperatorError } from './operator-errors.js';
import type { TaskOutcome } from './outcome.js';
import { runRound } from './round.js';
import { TaskRun } from './task-run.js';
import type { PolicyAnnouncement, Transport } from './transport.js';

/** Newton's defaults (`two_phase_*` settings, quorum 67 %). */
export const NETWORK_DEFAULTS = {
  prepareTimeoutMs: 30_000,
  commitTimeoutMs: 15_000,
  /** Numeric PolicyData may differ from the median by this fraction. */
  tolerance: 0.1,
  /** Percent of each quorum's stake, for tasks whose `quorumThresholdPercentage` is 0. */
  quorumThreshold: 67,
  deployTimeoutMs: 60_000,
} as const;

export type NetworkSettings = { [K in keyof typeof NETWORK_DEFAULTS]: number };

export interface RunOptions extends Partial<Omit<NetworkSettings, 'deployTimeoutMs'>> {
  /**
   * The task's deadline or cancellation; pending operators are told to stop. An abort whose reason
   * is a TimeoutError (`AbortSignal.timeout(ms)`) ends the task as a failed outcome
   * (NEWTON_ERR_OPERATOR_TIMEOUT, the silent operators in `operator_errors`) unless the quorum
   * was just reached; any other reason rejects `run` with it.
   */
  signal?: AbortSignal;
  /** Called synchronously at each step; a throw rejects `run`. */
  onEvent?: (event: TaskEvent) => void;
}

export class OperatorNetwork {
  readonly registry: OperatorRegistry;
  readonly operators: readonly Transport[];
  readonly settings: NetworkSettings;

  /** `operators` must be registered in `registry` (signatures of others are refused). */
  constructor(registry: OperatorRegistry, operators: readonly Transport[], settings: Partial<NetworkSettings> = {}) {
    const ids = operators.map((op) => op.identity.operatorId.toLowerCase());
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated !== undefined) throw new RangeError(`operator ${repeated} is listed twice`);
    this.registry = registry;
    this.operators = operators;
    this.settings = { ...NETWORK_DEFAULTS, ...settings };
  }

  get operatorCount(): number {
    return this.operators.length;
  }

  /**
   * Announces a client's policy to every operator at once; resolves to the operators that failed
   * to take it up (empty when all did). Those fail its tasks until announced again.
   */
  async deploy(announcement: PolicyAnnouncement, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<OperatorError[]> {
    const timeoutMs = options.timeoutMs ?? this.settings.deployTimeoutMs;
    const errors: OperatorError[] = [];
    const { silent, aborted } = await runRound(this.operators, (op, signal) => op.deploy(announcement, signal), {
      timeoutMs,
      signal: options.signal,
      onAnswer: (operator, answer) => {
        if (!answer.ok) errors.push(thrownError(operator.identity, 'deploy', answer.error));
        return false;
      },
    });
    if (aborted) throw options.signal?.reason;
    for (const op of silent) errors.push(operatorError(op.identity, 'deploy', 'NEWTON_ERR_OPERATOR_TIMEOUT', `no answer within ${timeoutMs} ms`));
    return errors;
  }

  /**
   * Runs `task` through both rounds: PolicyData from every operator (prepare timeout), their
   * consensus, then evaluation and signatures from those that prepared (commit timeout),
   * aggregated as they arrive until the quorum — the task's threshold, else `quorumThreshold` —
   * is met. No quorum, timeouts and consensus failures are a `failed` outcome, not a rejection.
   */
  async run(task: NewtonTask, options: RunOptions = {}): Promise<TaskOutcome> {
    options.signal?.throwIfAborted();
    const { signal, onEvent, ...overrides } = options;
    const settings = { ...this.settings, ...overrides };
    if (!(settings.tolerance >= 0 && Number.isFinite(settings.tolerance))) {
      throw new RangeError(`consensus tolerance ${settings.tolerance} is not a finite fraction ≥ 0`);
    }
    const threshold = task.quorumThresholdPercentage || settings.quorumThreshold;
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > 100) {
      throw new RangeError(`quorum threshold ${threshold} is not a whole percentage`);
    }
    const quorumNumbers = [...hexToBytes(task.quorumNumbers)];
    if (quorumNumbers.length === 0) throw new RangeError(`task ${task.taskId} has no quorum numbers`);
    const run = new TaskRun(this.registry, this.operators, { ...task, quorumThresholdPercentage: threshold }, quorumNumbers, {
      prepareTimeoutMs: settings.prepareTimeoutMs,
      commitTimeoutMs: settings.commitTimeoutMs,
      tolerance: settings.tolerance,
      threshold,
      signal,
      onEvent,
    });
    return run.execute();
  }
}
