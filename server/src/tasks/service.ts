// Runs tasks on the operator network: deploys the client's policy when it changed, records the
// task and its result, appends the outcome to the decision log, publishes progress to WebSocket
// subscribers, notifies webhooks of failures, and finishes or fails in-flight tasks on shutdown.
import type { Hex, NewtonTask } from 'newton-engine';
import type { Gateway } from '../gateway.js';
import { logOutcome } from '../log/outcome.js';
import type { PolicyClientRecord } from '../store/store.js';
import { announcement } from './deployment.js';
import type { TaskEvent, TaskOutcome } from './network.js';
import { taskResult, type TaskResult, type TaskUpdate } from './results.js';
import { notifyFailure } from './webhooks.js';

export const subscriptionTopic = (taskId: Hex) => `newton.task.${taskId}`;

/** The event name every task's updates are also emitted under (`gateway.events.on(ALL_TASKS, …)`). */
export const ALL_TASKS = 'tasks';

export class TaskService {
  readonly #gateway: Gateway;
  /** What each client's operators were last given: policyId and secrets generation. */
  readonly #deployed = new Map<string, string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #shutdown = new AbortController();
  #secretsGeneration = 0;

  constructor(gateway: Gateway) {
    this.#gateway = gateway;
  }

  /** Secrets changed: every client is re-announced before its next task. */
  secretsChanged(): void {
    this.#secretsGeneration += 1;
  }

  /** Records `task` and starts it; `done` resolves to its result (never rejects). */
  async start(task: NewtonTask, client: PolicyClientRecord, options: { timeoutMs: number; keyId: string }): Promise<{ done: Promise<TaskResult> }> {
    const network = this.#gateway.requireNetwork();
    if (this.#shutdown.signal.aborted) throw new Error('the gateway is shutting down');
    await this.#deploy(client);
    await this.#gateway.store.insertTask({ taskId: task.taskId, policyClient: task.policyClient, status: 'Created', task: { ...task }, result: null, expiration: null, createdAt: Date.now() });
    const signal = AbortSignal.any([this.#shutdown.signal, AbortSignal.timeout(options.timeoutMs)]);
    let last: TaskEvent | undefined;
    const onEvent = (event: TaskEvent) => {
      if (event.event === 'aggregated' || event.event === 'failed') last = event; // published with the RPC result
      else this.#publish(event, null);
    };
    const done = network
      .run(task, { signal, onEvent })
      .catch((err: unknown): TaskOutcome => ({
        status: 'failed',
        task_id: task.taskId,
        error: this.#shutdown.signal.aborted
          ? { code: 'NEWTON_ERR_OPERATOR_UNAVAILABLE', message: 'the gateway shut down before the task finished' }
          : signal.aborted
            ? { code: 'NEWTON_ERR_OPERATOR_TIMEOUT', message: 'Task timeout' }
            : { code: 'NEWTON_ERR_INTERNAL', message: `task run failed: ${(err as Error).message}` },
        operator_errors: [],
        timestamp: Date.now(),
      }))
      .then((outcome) => this.#finish(task, client, outcome, last, options.keyId))
      .catch((err: unknown): TaskResult => ({
        task_id: task.taskId,
        status: 'failed',
        error: { code: 'NEWTON_ERR_STORE', message: `the task ran but its result could not be recorded: ${(err as Error).message}` },
        aggregation_response: null,
        operator_errors: [],
        timestamp: Date.now(),
      }));
    this.#inFlight.add(done);
    void done.finally(() => this.#inFlight.delete(done));
    return { done };
  }

  async #deploy(client: PolicyClientRecord): Promise<void> {
    const version = `${client.current.policyId}/${this.#secretsGeneration}`;
    if (this.#deployed.get(client.address) === version) return;
    const failed = await this.#gateway.requireNetwork().deploy(await announcement(this.#gateway, client));
    // Operators that did not take the policy fail this task's rounds; announce again next time.
    if (failed.length === 0) this.#deployed.set(client.address, version);
  }

  async #finish(task: NewtonTask, client: PolicyClientRecord, outcome: TaskOutcome, last: TaskEvent | undefined, keyId: string): Promise<TaskResult> {
    // In chain mode a certified response is posted first: its receipt's block is the reference block.
    const { chain } = this.#gateway;
    const result = chain && outcome.status === 'responded' ? await chain.respond(task, outcome) : taskResult(task, outcome, this.#gateway.clock.block);
    const record = result as unknown as Record<string, unknown>;
    // Logged in the transaction that records the result; an entry that cannot be built does not fail the task.
    const logEntry = await logOutcome(this.#gateway.store, task, client, outcome)
      .then((entry) => this.#gateway.log.entryOf(entry))
      .catch((err: unknown) => void process.emitWarning(`task ${task.taskId} is not logged: ${(err as Error).message}`, 'NewtonLogWarning'));
    const logged = result.status === 'success'
      ? await this.#gateway.store.finishTask(task.taskId, 'Responded', record, result.expiration, logEntry)
      : await this.#gateway.store.finishTask(task.taskId, 'Created', record, null, logEntry);
    if (logged) await this.#gateway.log.appended([logged]);
    this.#publish(last ?? finalEvent(task.taskId, outcome), result);
    if (result.status === 'failed') void notifyFailure(this.#gateway, keyId, result);
    return result;
  }

  #publish(event: TaskEvent, result: TaskResult | null): void {
    const update: TaskUpdate = { ...event, data: { ...event.data, result } };
    this.#gateway.events.emit(event.task_id, update);
    this.#gateway.events.emit(ALL_TASKS, update);
  }

  /** Waits up to `graceMs` for in-flight tasks, then aborts the rest (they end as failed results). */
  async close(graceMs = 10_000): Promise<void> {
    const all = Promise.allSettled([...this.#inFlight]);
    const timer = setTimeout(() => this.#shutdown.abort(new Error('gateway shutting down')), graceMs);
    await all;
    clearTimeout(timer);
    this.#shutdown.abort();
  }
}

/** The last event of a run, rebuilt from its outcome when the network's own was not seen. */
export function finalEvent(taskId: Hex, outcome: TaskOutcome): TaskEvent {
  return {
    event: outcome.status === 'responded' ? 'aggregated' : 'failed',
    task_id: taskId,
    timestamp: outcome.timestamp,
    data: {
      status: outcome.status === 'responded' ? 'responded' : 'failed',
      operator_responses: [],
      result: outcome,
      progress: { round: null, operators: 0, answered: 0, agreeing_stake_percent: 0, quorum_threshold: 0 },
    },
  };
}
