// One round of calls to every operator at once: answers are handled one at a time in arrival
// order, and the round ends when all have answered, a handler says stop, the timeout fires or
// the caller's signal aborts.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Transport } from './transport.js';

export type Answer<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RoundOptions<T> {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Handles one answer that arrived (at `performance.now()` time `at`) before the round ended;
   * resolving `true` ends the round (answers still queued are skipped). A throw rejects the round.
   */
  onAnswer(operator: Transport, answer: Answer<T>, at: number): boolean | Promise<boolean>;
}

export interface RoundEnd {
  /** The operators that had not answered when the round ended. */
  silent: Transport[];
  /** Whether it ended because `signal` aborted (the answer being handled then was finished). */
  aborted: boolean;
}

/** Calls `call` on every operator with a signal that aborts when the round ends. */
export function runRound<T>(
  operators: readonly Transport[],
  call: (operator: Transport, signal: AbortSignal) => Promise<T>,
  options: RoundOptions<T>,
): Promise<RoundEnd> {
  const { timeoutMs, signal: outer, onAnswer } = options;
  if (outer?.aborted) return Promise.resolve({ silent: [...operators], aborted: true });
  // Not AbortSignal.any, which has leaked dependents of long-lived signals (nodejs/node#55351).
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // one listener per operator asked: 64 is not a leak
  const pending = new Set(operators);
  let ended = false;
  let stopped = false;
  let queue = Promise.resolve();

  return new Promise<RoundEnd>((resolve, reject) => {
    const end = (aborted: boolean) => {
      if (ended) return;
      ended = true;
      const silent = [...pending];
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      controller.abort(aborted ? outer?.reason : undefined);
      void queue.then(() => resolve({ silent, aborted }));
    };
    const onAbort = () => {
      stopped = true;
      end(true);
    };
    const timer = setTimeout(() => end(false), timeoutMs);
    outer?.addEventListener('abort', onAbort, { once: true });

    for (const operator of operators) {
      const settle = (answer: Answer<T>) => {
        if (ended) return;
        const at = performance.now();
        pending.delete(operator);
        queue = queue.then(async () => {
          if (stopped) return;
          try {
            if (await onAnswer(operator, answer, at)) {
              stopped = true;
              end(false);
            }
          } catch (err) {
            stopped = true;
            end(false);
            reject(err);
          }
        });
        if (pending.size === 0) end(false);
      };
      Promise.resolve()
        .then(() => call(operator, controller.signal))
        .then((value) => settle({ ok: true, value }), (error: unknown) => settle({ ok: false, error }));
    }
    if (operators.length === 0) end(false);
  });
}
