// One round of calls to every operator at once: answers are handled one at a time in arrival
// order, and the round ends when all have answered, a handler says stop, or the timeout fires.
import type { Transport } from './transport.js';

export type Answer<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RoundOptions<T> {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Handles one answer that arrived before the round ended; resolving `true` ends the round
   * (the answers still queued are skipped). A throw rejects the round.
   */
  onAnswer(operator: Transport, answer: Answer<T>): boolean | Promise<boolean>;
}

/**
 * Calls `call` on every operator with a signal that aborts when the round ends, and resolves to
 * the operators that had not answered by then. Rejects with the reason when `signal` aborts.
 */
export function runRound<T>(
  operators: readonly Transport[],
  call: (operator: Transport, signal: AbortSignal) => Promise<T>,
  options: RoundOptions<T>,
): Promise<Transport[]> {
  const { timeoutMs, signal: outer, onAnswer } = options;
  outer?.throwIfAborted();
  // Not AbortSignal.any, which has leaked dependents of long-lived signals (nodejs/node#55351).
  const controller = new AbortController();
  const { signal } = controller;
  const pending = new Set(operators);
  let ended = false;
  let stopped = false;
  let queue = Promise.resolve();

  return new Promise<Transport[]>((resolve, reject) => {
    const end = (reason?: unknown) => {
      ended = true;
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      controller.abort(reason);
    };
    const finish = () => {
      if (ended) return;
      const unanswered = [...pending];
      end();
      void queue.then(() => resolve(unanswered));
    };
    const fail = (err: unknown) => {
      if (!ended) end(err);
      stopped = true;
      reject(err);
    };
    const onAbort = () => fail(outer?.reason);
    const timer = setTimeout(finish, timeoutMs);
    outer?.addEventListener('abort', onAbort, { once: true });

    for (const operator of operators) {
      const settle = (answer: Answer<T>) => {
        if (ended) return;
        pending.delete(operator);
        queue = queue.then(async () => {
          if (stopped) return;
          try {
            if (await onAnswer(operator, answer)) {
              stopped = true;
              finish();
            }
          } catch (err) {
            fail(err);
          }
        });
        if (pending.size === 0) finish();
      };
      Promise.resolve()
        .then(() => call(operator, signal))
        .then((value) => settle({ ok: true, value }), (error: unknown) => settle({ ok: false, error }));
    }
    if (operators.length === 0) finish();
  });
}
