// The gateway's side of the operator bus (NATS): one connection; one subscription per round for
// every task's answers, one for errors, one for heartbeats, one for registrations and one for
// the other gateways' task progress. A round's
// request is one broadcast per task, signed by the gateway (EIP-712, addressed to every operator):
// the operators asked for it in the same tick are collected and named in it, and the client's
// secrets are sealed to each of them. Answers reach the asking operator's waiter; a prepare answer
// or an error counts only with its operator's BLS signature (anyone on the bus could publish it).
import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { NewtonError, type ErrorCode, type Hex, type NewtonTask, type PreparedData } from 'newton-engine';
import type { BlockClock } from '../clock.js';
import type { TaskEvents } from '../gateway.js';
import { sealSecretsForEach } from '../network/sealed-secrets.js';
import type { TaskUpdate } from '../tasks/results.js';
import { ALL_TASKS } from '../tasks/service.js';
import type { OperatorIdentity, PolicyAnnouncement } from '../network/transport.js';
import { EVERY_OPERATOR } from '../operator/core.js';
import { authHeaders, signRequest, type RequestSigner } from '../operator/request-auth.js';
import { REPLY_SIGNATURE_HEADER, verifyReply } from './reply-auth.js';
import { ROUND_METHOD, SUBJECTS, responseTaskId, type BusRound } from './subjects.js';

export interface OperatorBusOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** The gateway's signing account. */
  account: RequestSigner;
  chainId: number;
  /** An operator without a heartbeat for longer is skipped at once (default 3,000 ms; operators beat every 1,000). */
  heartbeatTimeoutMs?: number;
  /** How long a signed request stays valid (default 60,000 ms). */
  requestTtlMs?: number;
  /** Told of answers and errors that were refused (a bad operator signature) and of publish failures. */
  onWarning?: (message: string) => void;
}

/** An operator as a round addresses it. */
export interface Addressee {
  identity: OperatorIdentity;
  secretsPublicKey?: Hex;
}

interface Waiter {
  operator: Addressee;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface Batch {
  round: BusRound;
  task: NewtonTask;
  announcement: PolicyAnnouncement;
  agreed?: PreparedData;
  addressees: Addressee[];
}

const unavailable = (message: string) => new NewtonError({ code: 'NEWTON_ERR_OPERATOR_UNAVAILABLE', message });
const SEALED_CACHE = 256;

export class OperatorBus {
  readonly #nc: NatsConnection;
  readonly #options: OperatorBusOptions;
  /** `${taskId}/${round}` → lowercase operator id → its waiter. */
  readonly #waiters = new Map<string, Map<string, Waiter>>();
  /** Requests to publish at the end of this tick, by `${taskId}/${round}`. */
  readonly #batches = new Map<string, Batch>();
  /** When each operator was last heard from (heartbeat or registration), by lowercase id. */
  readonly #seen = new Map<string, number>();
  /** Announcements with secrets sealed to a set of operators, by announcement and addressees. */
  readonly #sealed = new Map<string, Promise<PolicyAnnouncement>>();
  readonly #subscriptions: Subscription[] = [];
  /** While disconnected, requests cannot reach anyone; after a reconnect, only operators heard since count as alive. */
  #connected = true;
  #reconnectedAt = 0;

  private constructor(nc: NatsConnection, options: OperatorBusOptions) {
    this.#nc = nc;
    this.#options = options;
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.#connected = false;
        else if (status.type === 'reconnect') {
          this.#connected = true;
          this.#reconnectedAt = Date.now();
        }
      }
    })();
    const on = (subject: string, handle: (msg: Msg) => Promise<void> | void) =>
      this.#subscriptions.push(nc.subscribe(subject, { callback: (err, msg) => void (err ? undefined : Promise.resolve(handle(msg)).catch((e: Error) => this.#warn(e.message))) }));
    on(SUBJECTS.responses('prepare'), (msg) => this.#answer(msg, 'prepare'));
    on(SUBJECTS.responses('evaluate'), (msg) => this.#answer(msg, 'evaluate'));
    on(SUBJECTS.errors, (msg) => this.#error(msg));
    on(SUBJECTS.heartbeats, (msg) => {
      const id = msg.subject.split('.')[2];
      if (id && /^0x[0-9a-f]{64}$/.test(id)) this.#seen.set(id, Date.now());
    });
  }

  /** Connects (reconnecting for as long as it runs). */
  static async connect(options: OperatorBusOptions): Promise<OperatorBus> {
    const nc = await connect({ servers: options.servers, name: 'newton-gateway', maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    return new OperatorBus(nc, options);
  }

  /** Answers registrations on the announce subject with `register`'s result or error. */
  serveRegistrations(register: (body: unknown) => Promise<{ operator_id: string }>): void {
    this.#subscriptions.push(this.#nc.subscribe(SUBJECTS.announce, {
      callback: (err, msg) => {
        if (err) return;
        void (async () => {
          let reply: unknown;
          try {
            const body = JSON.parse(msg.string()) as { gateway?: unknown };
            // Several networks may share a bus: only the gateway a registration names answers it.
            if (typeof body?.gateway === 'string' && body.gateway.toLowerCase() !== this.#options.account.address.toLowerCase()) return;
            const entry = await register(body);
            this.#seen.set(entry.operator_id.toLowerCase(), Date.now());
            reply = { result: entry };
          } catch (e) {
            const { code = 'NEWTON_ERR_INVALID_ARGUMENT', message } = e as { code?: string; message: string };
            reply = { error: { code: e instanceof SyntaxError ? 'NEWTON_ERR_INVALID_JSON' : code, message } };
          }
          msg.respond(JSON.stringify(reply));
        })();
      },
    }));
  }

  /**
   * Shares task progress with the other gateways on the bus: this gateway's updates (what its
   * TaskService emits on ALL_TASKS) are published, and theirs are emitted on `events` under the
   * task id, where this gateway's WebSocket subscribers listen.
   */
  shareTaskUpdates(events: TaskEvents): void {
    const origin = randomUUID();
    events.on(ALL_TASKS, (update) => this.#nc.publish(SUBJECTS.taskUpdates, JSON.stringify({ origin, update })));
    this.#subscriptions.push(this.#nc.subscribe(SUBJECTS.taskUpdates, {
      callback: (err, msg) => {
        if (err) return;
        const { origin: from, update } = msg.json<{ origin: string; update: TaskUpdate }>();
        if (from !== origin && typeof update?.task_id === 'string') events.emit(update.task_id, update);
      },
    }));
  }

  /** Keeps `clock` at the height the other gateways of its chain mined to, and tells them of its own. */
  shareClock(clock: BlockClock): void {
    clock.onAdvance((advanced) => this.#nc.publish(SUBJECTS.clock(clock.chainId), JSON.stringify({ advanced })));
    this.#subscriptions.push(this.#nc.subscribe(SUBJECTS.clock(clock.chainId), {
      callback: (err, msg) => void (err ? undefined : clock.observe(msg.json<{ advanced: number }>().advanced)),
    }));
  }

  /** Asks `operator` for its answer to `task`'s round; rejects at once when it has gone silent. */
  ask<T>(round: BusRound, operator: Addressee, task: NewtonTask, announcement: PolicyAnnouncement, agreed: PreparedData | undefined, signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    if (!this.#connected) return Promise.reject(unavailable('the gateway is reconnecting to the bus'));
    const id = operator.identity.operatorId.toLowerCase();
    const seen = this.#seen.get(id);
    const silentMs = seen === undefined ? Infinity : Date.now() - seen;
    const timeoutMs = this.#options.heartbeatTimeoutMs ?? 3_000;
    if (silentMs > timeoutMs) {
      return Promise.reject(unavailable(seen === undefined ? `operator ${id} has sent no heartbeat` : `operator ${id} has sent no heartbeat for ${Math.round(silentMs)} ms`));
    }
    if (seen! < this.#reconnectedAt) return Promise.reject(unavailable(`operator ${id} has sent no heartbeat since the bus reconnected`));
    const key = `${task.taskId.toLowerCase()}/${round}`;
    return new Promise<T>((resolve, reject) => {
      const waiters = this.#waiters.get(key) ?? new Map<string, Waiter>();
      this.#waiters.set(key, waiters);
      const done = () => {
        signal.removeEventListener('abort', onAbort);
        waiters.delete(id);
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key);
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiters.set(id, {
        operator,
        resolve: (value) => (done(), resolve(value as T)),
        reject: (err) => (done(), reject(err)),
      });
      let batch = this.#batches.get(key);
      if (batch === undefined) {
        batch = { round, task, announcement, agreed, addressees: [] };
        this.#batches.set(key, batch);
        queueMicrotask(() => void this.#publish(key));
      }
      batch.addressees.push(operator);
    });
  }

  async close(): Promise<void> {
    for (const waiters of this.#waiters.values()) for (const waiter of waiters.values()) waiter.reject(unavailable('the gateway closed its bus connection'));
    await this.#nc.drain().catch(() => this.#nc.close());
  }

  async #publish(key: string): Promise<void> {
    const batch = this.#batches.get(key)!;
    this.#batches.delete(key);
    const { round, task, agreed, addressees } = batch;
    try {
      const announcement = await this.#sealFor(batch.announcement, addressees);
      const params = { task, announcement, ...(agreed && { agreed }), operators: addressees.map((a) => a.identity.operatorId.toLowerCase()) };
      const paramsText = JSON.stringify(params);
      const method = ROUND_METHOD[round];
      const auth = await signRequest(this.#options.account, { method, taskId: task.taskId, operatorId: EVERY_OPERATOR, paramsText }, this.#options.requestTtlMs ?? 60_000);
      const headers = natsHeaders();
      for (const [name, value] of Object.entries(authHeaders(auth))) headers.set(name, value);
      headers.set('x-newton-method', method);
      this.#nc.publish(SUBJECTS.request(this.#options.chainId, round), paramsText, { headers });
    } catch (err) {
      const failure = unavailable(`${round} request for task ${task.taskId} not published: ${(err as Error).message}`);
      for (const waiter of [...(this.#waiters.get(key)?.values() ?? [])]) waiter.reject(failure);
    }
  }

  /** The announcement with its secrets sealed to each addressee that registered a key (cached). */
  #sealFor(announcement: PolicyAnnouncement, addressees: Addressee[]): Promise<PolicyAnnouncement> {
    if (!(announcement.deployment.policyData ?? []).some((s) => s.runOptions?.secrets !== undefined)) return Promise.resolve(announcement);
    const recipients = addressees.filter((a) => a.secretsPublicKey !== undefined).map((a) => ({ publicKey: a.secretsPublicKey, operator: a.identity.operatorId }));
    const key = `${JSON.stringify(announcement)}|${recipients.map((r) => r.operator.toLowerCase()).sort().join(',')}`;
    let sealed = this.#sealed.get(key);
    if (sealed === undefined) {
      sealed = sealSecretsForEach(announcement, recipients, this.#options.chainId);
      sealed.catch(() => this.#sealed.delete(key));
      this.#sealed.set(key, sealed);
      if (this.#sealed.size > SEALED_CACHE) this.#sealed.delete(this.#sealed.keys().next().value!);
    }
    return sealed;
  }

  async #answer(msg: Msg, round: BusRound): Promise<void> {
    const taskId = responseTaskId(msg.subject);
    const waiters = taskId && this.#waiters.get(`${taskId}/${round}`);
    if (!waiters) return;
    const payload = msg.string();
    const { operator_id: id, result } = JSON.parse(payload) as { operator_id?: string; result?: unknown };
    const waiter = typeof id === 'string' ? waiters.get(id.toLowerCase()) : undefined;
    if (waiter === undefined || result === undefined) return;
    if (round === 'prepare' && !(await verifyReply(waiter.operator.identity.publicKey, msg.subject, payload, msg.headers?.get(REPLY_SIGNATURE_HEADER)))) {
      this.#warn(`a prepare answer for task ${taskId} in operator ${id}'s name is not signed by it: ignored`);
      return;
    }
    waiter.resolve(result);
  }

  async #error(msg: Msg): Promise<void> {
    const payload = msg.string();
    const { operator_id: id, task_id: taskId, round, error } = JSON.parse(payload) as { operator_id?: string; task_id?: string; round?: string; error?: { code?: string; message?: string } };
    if (typeof taskId !== 'string' || typeof id !== 'string' || (round !== 'prepare' && round !== 'evaluate')) return;
    const waiter = this.#waiters.get(`${taskId.toLowerCase()}/${round}`)?.get(id.toLowerCase());
    if (waiter === undefined) return;
    if (!(await verifyReply(waiter.operator.identity.publicKey, msg.subject, payload, msg.headers?.get(REPLY_SIGNATURE_HEADER)))) {
      this.#warn(`an error for task ${taskId} in operator ${id}'s name is not signed by it: ignored`);
      return;
    }
    waiter.reject(new NewtonError({ code: (error?.code ?? 'NEWTON_ERR_INTERNAL') as ErrorCode, message: error?.message ?? `${round} failed` }));
  }

  #warn(message: string): void {
    this.#options.onWarning?.(message);
  }
}
