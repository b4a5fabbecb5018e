// Whether each registered operator is live, from what the gateway sees of it: its registration
// renewals (every NEWTON_RENEW_MS, 10 s by default) and its answers in tasks. An operator is live
// while it was seen within `windowMs` and nothing since says it is unreachable (a call that
// failed with NEWTON_ERR_OPERATOR_UNAVAILABLE or a timeout after its last sign of life).
import type { TaskEvents } from './gateway.js';
import type { RegisteredOperator } from './network/registered-operators.js';
import { ALL_TASKS } from './tasks/service.js';
import type { TaskUpdate } from './tasks/results.js';

/** Default window: three missed renewals at the operators' default 10 s. */
export const LIVENESS_WINDOW_MS = 30_000;

const UNREACHABLE = new Set(['NEWTON_ERR_OPERATOR_UNAVAILABLE', 'NEWTON_ERR_OPERATOR_TIMEOUT']);

export interface Liveness {
  live: boolean;
  /** Unix ms of its last renewal or answer (0: not since the gateway started). */
  last_seen: number;
  /** Unix ms of the failed call that marked it down, when that is why it is not live. */
  unreachable_since: number | null;
}

export class OperatorLiveness {
  readonly #windowMs: number;
  readonly #answered = new Map<string, number>();
  readonly #unreachable = new Map<string, number>();
  readonly #events: TaskEvents;
  readonly #listener = (update: TaskUpdate) => this.#record(update);

  constructor(events: TaskEvents, windowMs = LIVENESS_WINDOW_MS) {
    this.#windowMs = windowMs;
    this.#events = events;
    events.on(ALL_TASKS, this.#listener);
  }

  of(operator: RegisteredOperator, now = Date.now()): Liveness {
    const id = operator.operator_id.toLowerCase();
    const lastSeen = Math.max(operator.last_seen, this.#answered.get(id) ?? 0);
    const failed = this.#unreachable.get(id) ?? 0;
    const down = failed > lastSeen;
    return { live: !down && now - lastSeen <= this.#windowMs, last_seen: lastSeen, unreachable_since: down ? failed : null };
  }

  close(): void {
    this.#events.off(ALL_TASKS, this.#listener);
  }

  /** Each answer once (an `operator_response` carries it last); timeouts from the outcome's errors. */
  #record(update: TaskUpdate): void {
    const answer = update.event === 'operator_response' ? update.data.operator_responses.at(-1) : undefined;
    if (answer) {
      const code = answer.status === 'error' ? answer.error_code ?? '' : '';
      this.#mark(UNREACHABLE.has(code) ? this.#unreachable : this.#answered, answer.operator_id, update.timestamp);
    }
    for (const error of update.data.result?.operator_errors ?? []) {
      if (UNREACHABLE.has(error.error_code)) this.#mark(this.#unreachable, error.operator_id, error.timestamp);
    }
  }

  #mark(times: Map<string, number>, operatorId: string, at: number): void {
    const id = operatorId.toLowerCase();
    if ((times.get(id) ?? 0) < at) times.set(id, at);
  }
}
