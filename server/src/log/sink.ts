// Ships decision-log entries to an HTTP endpoint (`--log-sink URL`), like OPA's decision-log
// service but signed and provable: each POST carries a batch of entries with their indices and
// leaf hashes and a signed tree head covering them, so the receiver can check every entry
// against the gateway's signature. Batches are retried with backoff; the queue is bounded and
// drops its oldest entries (with a warning) when the sink stays down.
import type { SignedTreeHead } from 'newton-engine';
import type { LogRecord } from '../store/store.js';

export interface LogSinkOptions {
  /** Where batches are POSTed as JSON: `{signed_tree_head, entries: [{index, task_id, entry, leaf_hash}]}`. */
  url: string;
  /** Entries per POST (default 100). */
  batchSize?: number;
  /** Longest an entry waits for a batch to fill, ms (default 1,000). */
  flushMs?: number;
  /** Entries held while the sink is down; the oldest are dropped past it (default 10,000). */
  maxQueue?: number;
  /** Tries per batch before it is dropped (default 5), 500 ms apart, doubling. */
  maxAttempts?: number;
  /** Per-request timeout, ms (default 10,000). */
  timeoutMs?: number;
}

const warn = (message: string) => process.emitWarning(message, 'NewtonLogSinkWarning');

export class LogSink {
  readonly #options: Required<LogSinkOptions>;
  readonly #head: () => Promise<SignedTreeHead>;
  #queue: LogRecord[] = [];
  #timer?: NodeJS.Timeout;
  #sending?: Promise<void>;
  #closed = false;

  constructor(options: LogSinkOptions, head: () => Promise<SignedTreeHead>) {
    this.#options = { batchSize: 100, flushMs: 1_000, maxQueue: 10_000, maxAttempts: 5, timeoutMs: 10_000, ...options };
    this.#head = head;
  }

  push(rows: LogRecord[]): void {
    this.#queue.push(...rows);
    const over = this.#queue.length - this.#options.maxQueue;
    if (over > 0) {
      this.#queue.splice(0, over);
      warn(`log sink ${this.#options.url}: queue full, dropped the ${over} oldest entries`);
    }
    if (this.#queue.length >= this.#options.batchSize) this.#send();
    else this.#timer ??= setTimeout(() => this.#send(), this.#options.flushMs).unref();
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending ??= this.#drain().finally(() => (this.#sending = undefined));
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.batchSize);
      await this.#post(batch);
    }
  }

  async #post(batch: LogRecord[]): Promise<void> {
    const entries = batch.map((r) => ({ index: r.index, task_id: r.taskId, entry: r.entry, leaf_hash: r.leafHash }));
    let reason = '';
    for (let attempt = 0; attempt < this.#options.maxAttempts; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 1)).unref());
      try {
        const body = JSON.stringify({ signed_tree_head: await this.#head(), entries });
        const res = await fetch(this.#options.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(this.#options.timeoutMs) });
        await res.body?.cancel();
        if (res.ok) return;
        reason = `HTTP ${res.status}`;
      } catch (err) {
        reason = (err as Error).message;
      }
      if (this.#closed) break;
    }
    warn(`log sink ${this.#options.url}: dropped ${batch.length} entries (${batch[0]!.index}…${batch.at(-1)!.index}) after ${reason}`);
  }

  /** Sends what is queued (one try per batch once closing). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#send();
    await this.#sending;
  }
}
