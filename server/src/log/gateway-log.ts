// The gateway's decision log: every task outcome becomes a canonical entry (hashes, never the
// private data) written at the next index in the transaction that records the task's result,
// then appended to the RFC 9162 tree kept in memory (newton-engine's DecisionLog); tree heads are
// signed by the gateway's key. The store is the truth: gateways sharing a database append to one
// log and load each other's entries before they prove or sign. Direct appends (`append`) are
// group-committed: those that arrive while a write is under way go together in the next one.
import { DecisionLog, buildLogEntry, logLeafHash, signTreeHead, type Hex, type LogOutcome, type SignedTreeHead } from 'newton-engine';
import { RpcError } from '../rpc/errors.js';
import type { GatewayStore, LogRecord } from '../store/store.js';
import { LogSink, type LogSinkOptions } from './sink.js';

/** Rows read from the store per query while catching up. */
const LOAD_PAGE = 5_000;

interface Pending {
  taskId: Hex;
  entry: string;
  leafHash: Hex;
  done: { resolve(record: LogRecord | null): void; reject(err: unknown): void };
}

export class GatewayLog {
  readonly #tree = new DecisionLog();
  readonly #store: GatewayStore;
  readonly #secretKey: Hex;
  readonly signer: Hex;
  readonly #sink?: LogSink;
  #queue: Pending[] = [];
  #writing?: Promise<void>;
  #loading?: Promise<void>;
  #head?: SignedTreeHead;

  private constructor(store: GatewayStore, secretKey: Hex, signer: Hex, sink?: LogSinkOptions) {
    this.#store = store;
    this.#secretKey = secretKey;
    this.signer = signer;
    if (sink) this.#sink = new LogSink(sink, () => this.head());
  }

  /** The log in `store`, loaded into memory; heads are signed with `secretKey` (whose address is `signer`). */
  static async open(store: GatewayStore, secretKey: Hex, signer: Hex, sink?: LogSinkOptions): Promise<GatewayLog> {
    const log = new GatewayLog(store, secretKey, signer, sink);
    await log.sync();
    return log;
  }

  /** Entries in memory (the store may hold more, appended by another gateway). */
  get size(): number {
    return this.#tree.size;
  }

  /** The entry (canonical text and leaf hash) of a finished task, for the store to append. */
  entryOf(outcome: LogOutcome): Omit<LogRecord, 'index'> {
    const { entry, leafHash } = buildLogEntry(outcome);
    return { taskId: outcome.task_id, entry, leafHash: leafHash as Hex };
  }

  /** Appends the outcome's entry; resolves to its row (null when the task was already logged). */
  append(outcome: LogOutcome): Promise<LogRecord | null> {
    const row = this.entryOf(outcome);
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...row, done: { resolve, reject } });
      this.#writing ??= this.#drain().finally(() => (this.#writing = undefined));
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        const rows = await this.#store.appendLog(batch.map(({ taskId, entry, leafHash }) => ({ taskId, entry, leafHash })));
        await this.appended(rows);
        const byTask = new Map(rows.map((r) => [r.taskId, r]));
        for (const p of batch) p.done.resolve(byTask.get(p.taskId.toLowerCase() as Hex) ?? null);
      } catch (err) {
        for (const p of batch) p.done.reject(err);
      }
    }
  }

  /** Takes rows the store has written into the tree (loading any written before them) and the sink. */
  async appended(rows: LogRecord[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows[0]!.index === this.#tree.size) this.#tree.append(rows.map((r) => r.entry));
    else if (rows[0]!.index > this.#tree.size) await this.sync();
    this.#sink?.push(rows);
  }

  /** Loads the entries the store has past the tree (another gateway's, or this one's written meanwhile). */
  sync(): Promise<void> {
    this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #load(): Promise<void> {
    for (;;) {
      const from = this.#tree.size;
      const fetched = await this.#store.logEntries(from, LOAD_PAGE);
      // Rows appended to the tree while the query ran are not appended twice.
      const rows = fetched.filter((r) => r.index >= this.#tree.size);
      // A row edited in the store no longer hashes to its own leaf_hash: refuse it rather than sign it.
      const edited = rows.find((r) => logLeafHash(r.entry) !== r.leafHash);
      if (edited) throw new RpcError('NEWTON_ERR_LOG_VERIFICATION', `decision log row ${edited.index} does not hash to its leaf_hash`);
      this.#tree.append(rows.map((r) => r.entry));
      if (fetched.length < LOAD_PAGE) return;
    }
  }

  /**
   * The signed head of the tree at `treeSize` entries (default: all; NEWTON_ERR_NOT_FOUND past
   * them). The latest is signed again only when the log grew.
   */
  async head(treeSize?: number): Promise<SignedTreeHead> {
    await this.sync();
    const size = treeSize ?? this.#tree.size;
    if (this.#head?.tree_size === size) return this.#head;
    const unsigned = { tree_size: size, root_hash: await this.#tree.root(size), timestamp: Date.now() };
    const head = { ...unsigned, signature: await signTreeHead(this.#secretKey, unsigned), signer: this.signer };
    if (size === this.#tree.size) this.#head = head;
    return head;
  }

  /** The row at `index`, or NEWTON_ERR_NOT_FOUND. */
  async entry(index: number): Promise<LogRecord> {
    if (index >= this.#tree.size) await this.sync();
    const entry = this.#tree.entry(index);
    if (entry === null) throw new RpcError('NEWTON_ERR_NOT_FOUND', `the decision log has no entry ${index} (it has ${this.#tree.size})`);
    return { index, taskId: (JSON.parse(entry) as { task_id: Hex }).task_id, entry, leafHash: logLeafHash(entry) };
  }

  /** The row of `taskId`'s outcome, or NEWTON_ERR_NOT_FOUND. */
  async entryOfTask(taskId: Hex): Promise<LogRecord> {
    const row = await this.#store.logEntryByTask(taskId);
    if (!row) throw new RpcError('NEWTON_ERR_NOT_FOUND', `the decision log has no entry for task ${taskId}`);
    return row;
  }

  /** The audit path of `index` in the tree of `treeSize` entries. */
  async inclusionProof(index: number, treeSize: number): Promise<Hex[]> {
    if (treeSize > this.#tree.size) await this.sync();
    return this.#tree.inclusionProof(index, treeSize);
  }

  async consistencyProof(first: number, second: number): Promise<Hex[]> {
    if (second > this.#tree.size) await this.sync();
    return this.#tree.consistencyProof(first, second);
  }

  async root(treeSize: number): Promise<Hex> {
    return this.#tree.root(treeSize);
  }

  /** Waits for queued appends and ships what the sink still holds (within its close timeout). */
  async close(): Promise<void> {
    await this.#writing;
    await this.#sink?.close();
  }
}
