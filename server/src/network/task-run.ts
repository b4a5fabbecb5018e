// One task through the operators: prepare round, consensus over the PolicyData that arrived,
// commit round aggregated until quorum, with a progress event at every step.
import { performance } from 'node:perf_hooks';
import {
  NewtonError,
  type NewtonTask,
  type OperatorRegistry,
  type PreparedData,
  type SignedTaskResponse,
} from 'newton-engine';
import { dissents } from './dissent.js';
import { agree } from './engine-calls.js';
import type { OperatorResponse, TaskEvent, TaskEventName, TaskStatus } from './events.js';
import { operatorError, thrownError, type OperatorError, type OperatorErrorCode } from './operator-errors.js';
import type { FailedOutcome, RespondedOutcome, TaskOutcome } from './outcome.js';
import { runRound, type Answer } from './round.js';
import { SignatureCollector } from './signature-collector.js';
import { StakeTable } from './stake-table.js';
import type { OperatorIdentity, Transport } from './transport.js';

/** An abort that is the task's deadline (`AbortSignal.timeout`), not a cancellation. */
const isDeadline = (reason: unknown) => reason instanceof Error && reason.name === 'TimeoutError';

/** An answer that could not be read: an engine error keeps its code, anything else is bad JSON. */
function malformed(identity: OperatorIdentity, round: 'prepare' | 'commit', err: unknown): OperatorError {
  if (err instanceof NewtonError) return thrownError(identity, round, err);
  return operatorError(identity, round, 'NEWTON_ERR_INVALID_JSON', `malformed answer: ${err instanceof Error ? err.message : String(err)}`);
}

export interface TaskRunSettings {
  prepareTimeoutMs: number;
  commitTimeoutMs: number;
  tolerance: number;
  /** The threshold in force (the task's, else the default). */
  threshold: number;
  signal?: AbortSignal;
  onEvent?: (event: TaskEvent) => void;
}

export class TaskRun {
  readonly #operators: readonly Transport[];
  readonly #task: NewtonTask;
  readonly #settings: TaskRunSettings;
  readonly #stakes: StakeTable;
  readonly #collector: SignatureCollector;
  readonly #responses: OperatorResponse[] = [];
  readonly #errors: OperatorError[] = [];
  #round: 'prepare' | 'commit' | null = null;
  #roundSize: number;
  #answered = 0;
  /** The round the task's deadline (a TimeoutError abort) passed in. */
  #deadline: 'prepare' | 'commit' | undefined;

  /** `task` carries the threshold in force; `quorumNumbers` are its quorum bytes. */
  constructor(registry: OperatorRegistry, operators: readonly Transport[], task: NewtonTask, quorumNumbers: number[], settings: TaskRunSettings) {
    this.#operators = operators;
    this.#roundSize = operators.length;
    this.#task = task;
    this.#settings = settings;
    this.#stakes = new StakeTable(registry, quorumNumbers);
    this.#collector = new SignatureCollector(registry, task, quorumNumbers, this.#stakes);
  }

  async execute(): Promise<TaskOutcome> {
    this.#emit('created', 'created');
    const prepared = await this.#prepare();
    if (this.#deadline) return this.#timedOut();
    const agreement = await this.#agree(prepared);
    if ('status' in agreement) return agreement;
    this.#emit('prepared', 'prepared');
    await this.#commit(agreement.operators, agreement.agreed);
    const certified = this.#collector.certified;
    if (certified === undefined && this.#deadline) return this.#timedOut();
    if (certified === undefined) return this.#noQuorum('commit', this.#collector.leadingPercent());
    this.#errors.push(...this.#collector.disagreeing());
    const outcome: RespondedOutcome = {
      status: 'responded',
      task_id: this.#task.taskId,
      task_response: certified.response,
      decision: certified.decision,
      digest: certified.digest,
      certificate: certified.certificate,
      signatures: certified.signers.map(({ identity, signed }) => ({
        operator_id: identity.operatorId,
        operator_address: identity.operatorAddress,
        signature: signed.signature,
      })),
      operator_errors: this.#errors,
      timestamp: Date.now(),
    };
    this.#emit('aggregated', 'responded', outcome);
    return outcome;
  }

  /** The operators whose PolicyData for this task arrived in time, with it. */
  async #prepare(): Promise<Array<[Transport, PreparedData]>> {
    const prepared: Array<[Transport, PreparedData]> = [];
    await this.#runRound('prepare', this.#operators, this.#settings.prepareTimeoutMs, (op, signal) => op.prepare(this.#task, signal), (operator, data) => {
      if (String(data.task_id).toLowerCase() !== this.#task.taskId.toLowerCase()) {
        return [operatorError(operator.identity, 'prepare', 'NEWTON_ERR_CONSENSUS_FAILED', `prepared data for task ${data.task_id}`)];
      }
      prepared.push([operator, data]);
      return [];
    });
    return prepared;
  }

  /**
   * The agreed data of `prepared` and the operators to commit with, or the failed outcome: too
   * little stake answered, or the data disagrees. An answer that is malformed or does not match
   * its own digests is its operator's error, not a disagreement: it is left out and the rest agree.
   */
  async #agree(prepared: Array<[Transport, PreparedData]>): Promise<{ agreed: PreparedData; operators: Transport[] } | FailedOutcome> {
    const answered = prepared.map(([operator]) => operator.identity.operatorId);
    if (!this.#stakes.meets(answered, this.#settings.threshold)) return this.#noQuorum('prepare', this.#stakes.percent(answered));
    try {
      const agreed = await agree(prepared.map(([, data]) => data), this.#settings.tolerance);
      return { agreed, operators: prepared.map(([operator]) => operator) };
    } catch (err) {
      if (!(err instanceof NewtonError)) throw err;
      if (err.code === 'NEWTON_ERR_CONSENSUS_FAILED' || err.code === 'NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED') {
        const code = err.code;
        this.#record('prepare', dissents(err, prepared.length).map(({ index, message }) => operatorError(prepared[index]![0].identity, 'prepare', code, message)));
        return this.#fail(code, `prepare: ${err.message}`, err.details);
      }
      const checked = await Promise.all(prepared.map(([, data]) => agree([data], 0).then(() => undefined, (e: unknown) => e)));
      const valid = prepared.filter((_, i) => checked[i] === undefined);
      if (valid.length === prepared.length) throw err;
      this.#record('prepare', prepared.flatMap(([operator], i) => (checked[i] === undefined ? [] : [malformed(operator.identity, 'prepare', checked[i])])));
      return this.#agree(valid);
    }
  }

  async #commit(operators: Transport[], agreed: PreparedData): Promise<void> {
    const call = (op: Transport, signal: AbortSignal) => op.commit(this.#task, agreed, signal);
    await this.#runRound('commit', operators, this.#settings.commitTimeoutMs, call, (operator, signed) => this.#collector.add(operator.identity, signed));
  }

  /** Runs one round; `accept` checks a successful answer and returns the errors it found. */
  async #runRound<T extends PreparedData | SignedTaskResponse>(
    round: 'prepare' | 'commit',
    operators: readonly Transport[],
    timeoutMs: number,
    call: (operator: Transport, signal: AbortSignal) => Promise<T>,
    accept: (operator: Transport, value: T) => OperatorError[] | Promise<OperatorError[]>,
  ): Promise<void> {
    this.#round = round;
    this.#roundSize = operators.length;
    this.#answered = 0;
    const started = performance.now();
    const onAnswer = async (operator: Transport, answer: Answer<T>, at: number) => {
      const { identity } = operator;
      const elapsed_ms = Math.round((at - started) * 100) / 100;
      const response: OperatorResponse = { operator_id: identity.operatorId, operator_address: identity.operatorAddress, round, status: 'ok', elapsed_ms };
      let errors: OperatorError[];
      if (!answer.ok) {
        errors = [thrownError(identity, round, answer.error)];
      } else {
        try {
          if (round === 'commit') {
            const { digest, decision } = answer.value as SignedTaskResponse;
            Object.assign(response, { digest, allow: decision.allow, ...(decision.reason && { reason: decision.reason.slice(0, 512) }) });
          }
          errors = await accept(operator, answer.value);
        } catch (err) {
          errors = [malformed(identity, round, err)];
        }
      }
      this.#answered += 1;
      this.#responses.push(response);
      this.#record(round, errors);
      this.#emit('operator_response', round === 'prepare' ? 'preparing' : 'committing');
      return this.#collector.certified !== undefined;
    };
    const { signal } = this.#settings;
    const { silent, aborted } = await runRound(operators, call, { timeoutMs, signal, onAnswer });
    if (aborted && !isDeadline(signal?.reason)) throw signal?.reason;
    if (round === 'commit' && this.#collector.certified !== undefined) return; // not needed once certified
    const why = aborted ? `no answer before the task's deadline (${String(signal?.reason)})` : `no answer within ${timeoutMs} ms`;
    this.#errors.push(...silent.map((op) => operatorError(op.identity, round, 'NEWTON_ERR_OPERATOR_TIMEOUT', why)));
    if (aborted) this.#deadline = round;
  }

  /** Adds `errors` to operator_errors and marks the operators' answers in `round` as errors. */
  #record(round: 'prepare' | 'commit', errors: OperatorError[]): void {
    this.#errors.push(...errors);
    for (const error of errors) {
      const response = this.#responses.find((r) => r.round === round && r.operator_id === error.operator_id);
      if (response) Object.assign(response, { status: 'error', error_code: error.error_code, message: error.message });
    }
  }

  /** Failed for want of stake: operators with `percent` of it answered (or agreed) in `round`. */
  #noQuorum(round: 'prepare' | 'commit', percent: number): FailedOutcome {
    const timedOut = this.#errors.some((e) => e.error_code === 'NEWTON_ERR_OPERATOR_TIMEOUT' && e.message.startsWith(`${round}:`));
    const what = round === 'prepare' ? 'answered' : 'signed the same response';
    const message = `${round}: operators holding ${percent}% of the stake ${what}; the quorum needs ${this.#settings.threshold}%`;
    const details = { round, stake_percent: percent, quorum_threshold: this.#settings.threshold };
    return this.#fail(timedOut ? 'NEWTON_ERR_OPERATOR_TIMEOUT' : 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE', message, details);
  }

  #timedOut(): FailedOutcome {
    const message = `${this.#deadline}: the task's deadline passed (${String(this.#settings.signal?.reason)})`;
    return this.#fail('NEWTON_ERR_OPERATOR_TIMEOUT', message, { round: this.#deadline });
  }

  #fail(code: OperatorErrorCode, message: string, details?: Record<string, unknown>): FailedOutcome {
    const outcome: FailedOutcome = {
      status: 'failed',
      task_id: this.#task.taskId,
      error: { code, message, ...(details && { details }) },
      operator_errors: this.#errors,
      timestamp: Date.now(),
    };
    this.#emit('failed', 'failed', outcome);
    return outcome;
  }

  #emit(event: TaskEventName, status: TaskStatus, result: TaskOutcome | null = null): void {
    this.#settings.onEvent?.({
      event,
      task_id: this.#task.taskId,
      timestamp: Date.now(),
      data: {
        status,
        operator_responses: this.#responses.map((r) => ({ ...r })),
        result,
        progress: {
          round: this.#round,
          operators: this.#roundSize,
          answered: this.#answered,
          agreeing_stake_percent: this.#collector.leadingPercent(),
          quorum_threshold: this.#settings.threshold,
        },
      },
    });
  }
}
