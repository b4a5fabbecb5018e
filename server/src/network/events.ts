// Progress events of a task run, in the shape the gateway's WebSocket pushes as `result`:
// `{event, task_id, timestamp, data: {status, operator_responses, result, progress}}`.
import type { Hex } from 'newton-engine';
import type { OperatorErrorCode, Round } from './operator-errors.js';
import type { TaskOutcome } from './outcome.js';

/** In order: `created`, one `operator_response` per answer, `prepared`, more `operator_response`, then `aggregated` or `failed`. */
export type TaskEventName = 'created' | 'operator_response' | 'prepared' | 'aggregated' | 'failed';

export type TaskStatus = 'created' | 'preparing' | 'prepared' | 'committing' | 'responded' | 'failed';

/** One operator's answer in a round. */
export interface OperatorResponse {
  operator_id: Hex;
  operator_address: Hex;
  round: Exclude<Round, 'deploy'>;
  /** `error`: the answer was an error or was refused (see `error_code`). */
  status: 'ok' | 'error';
  /** Commit: the digest the operator signed and its decision. */
  digest?: Hex;
  allow?: boolean;
  /** Commit: why the operator's evaluation denied (its first 512 characters; not part of what it signed). */
  reason?: string;
  error_code?: OperatorErrorCode;
  message?: string;
  /** Milliseconds from the start of the round to the answer. */
  elapsed_ms: number;
}

export interface TaskProgress {
  round: Exclude<Round, 'deploy'> | null;
  /** Operators asked in this round (all before the first; commit: those whose data was agreed on). */
  operators: number;
  answered: number;
  /** Stake behind the most-signed response so far, percent of the least-covered quorum. */
  agreeing_stake_percent: number;
  quorum_threshold: number;
}

export interface TaskEvent {
  event: TaskEventName;
  task_id: Hex;
  /** Unix milliseconds. */
  timestamp: number;
  data: {
    status: TaskStatus;
    /** Every answer so far, both rounds, in arrival order. */
    operator_responses: OperatorResponse[];
    /** The outcome on `aggregated` and `failed`, else null. */
    result: TaskOutcome | null;
    progress: TaskProgress;
  };
}
