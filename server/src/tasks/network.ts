// What the gateway needs of its operators: the registry their signatures are checked against,
// announcing a client's policy to them, and running one task through prepare → consensus →
// commit → aggregate with progress events. server/src/network implements it.
import type { NewtonTask, OperatorRegistry } from 'newton-engine';
import type { TaskEvent } from '../network/events.js';
import type { OperatorError } from '../network/operator-errors.js';
import type { TaskOutcome } from '../network/outcome.js';
import type { PolicyAnnouncement } from '../network/transport.js';

export type { PolicyAnnouncement, TaskEvent, TaskOutcome, OperatorError };

export interface RunOptions {
  /** Called for each stage: created, operator responses, prepared, aggregated or failed. */
  onEvent?: (event: TaskEvent) => void;
  /** Aborting fails the run (graceful shutdown, the caller's timeout). */
  signal?: AbortSignal;
}

export interface TaskNetwork {
  /** The registry the operators' signatures are checked against. */
  readonly registry: OperatorRegistry;
  /** How many operators there are (0: the task methods answer NEWTON_ERR_UNAVAILABLE). */
  readonly operatorCount: number;
  /** Makes every operator serve the client's policy; resolves to the operators that failed to take it. */
  deploy(announcement: PolicyAnnouncement): Promise<OperatorError[]>;
  /** Runs one task; a failure (no quorum, timeout, consensus) is a FailedOutcome, not a rejection. */
  run(task: NewtonTask, options?: RunOptions): Promise<TaskOutcome>;
  close?(): Promise<void>;
}
