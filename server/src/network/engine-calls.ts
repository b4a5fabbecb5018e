// Consensus over prepare results and a response's consensus digest without blocking the event
// loop: small inputs run inline (microseconds), large ones on one shared worker thread.
import { Worker } from 'node:worker_threads';
import { NewtonError, consensusDigest, operatorConsensus, type ErrorInfo, type Hex, type PreparedData } from 'newton-engine';

/** Inputs up to this many JSON characters run inline (≈0.5 ms at most). */
const INLINE_CHARS = 4096;

export type EngineRequest =
  | { id: number; fn: 'consensus'; results: string[]; tolerance: number }
  | { id: number; fn: 'digest'; response: string };

export type EngineReply = { id: number; value: unknown } | { id: number; error: ErrorInfo };

type Pending = { resolve: (value: unknown) => void; reject: (err: unknown) => void };

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

function engineWorker(): Worker {
  if (worker !== undefined) return worker;
  const started = new Worker(new URL('./engine-worker.js', import.meta.url));
  started.on('message', (reply: EngineReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) started.unref();
    if ('error' in reply) waiting?.reject(new NewtonError(reply.error));
    else waiting?.resolve(reply.value);
  });
  const lost = (err: unknown) => {
    if (worker === started) worker = undefined;
    for (const waiting of pending.values()) waiting.reject(err);
    pending.clear();
  };
  started.on('error', lost);
  started.on('exit', (code) => lost(new NewtonError({ code: 'NEWTON_ERR_INTERNAL', message: `the engine worker exited (${code})` })));
  worker = started;
  return started;
}

type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;

function offThread<T>(request: WithoutId<EngineRequest>): Promise<T> {
  const id = nextId++;
  const target = engineWorker();
  target.ref(); // keep the process alive while a call is out
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    target.postMessage({ ...request, id });
  });
}

/** `operatorConsensus` of `results` at `tolerance`. */
export async function agree(results: PreparedData[], tolerance: number): Promise<PreparedData> {
  const texts = results.map((r) => JSON.stringify(r));
  if (texts.reduce((n, t) => n + t.length, 0) <= INLINE_CHARS) return operatorConsensus(texts, tolerance);
  return offThread<PreparedData>({ fn: 'consensus', results: texts, tolerance });
}

/** `consensusDigest` of a TaskResponse. */
export async function digestOf(response: unknown): Promise<Hex> {
  const text = JSON.stringify(response);
  if (text.length <= INLINE_CHARS) return consensusDigest(text);
  return offThread<Hex>({ fn: 'digest', response: text });
}
