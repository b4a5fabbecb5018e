// An operator on the bus (NATS): it subscribes to its chain's prepare and evaluate requests (not
// in a queue group: every task must reach every operator), answers those that name it and carry
// the trusted gateway's signature, beats every second on its heartbeat subject, and registers on
// the announce subject (renewed like over HTTP). Prepare answers and errors are signed with its
// BLS key, since anyone on the bus could publish in its name.
import { connect, headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { NewtonError, type BlsSigner, type ErrorCode, type Hex } from 'newton-engine';
import { EVERY_OPERATOR, type OperatorCore } from '../operator/core.js';
import { requestTaskId } from '../operator/messages.js';
import { AUTH_HEADERS } from '../operator/request-auth.js';
import { keepRegistered, type Registration, type SubmitRegistration } from '../operator/registration.js';
import { REPLY_SIGNATURE_HEADER, signReply } from './reply-auth.js';
import { ROUND_METHOD, SUBJECTS, type BusRound } from './subjects.js';

export interface BusOperatorOptions {
  core: OperatorCore;
  signer: BlsSigner;
  servers: string | string[];
  chainId: number;
  /** The gateway address its registrations are addressed to (the one it trusts). */
  gateway: Hex;
  /** Default 1,000 ms. */
  heartbeatMs?: number;
  /** Default 10,000 ms. */
  renewMs?: number;
  onWarning?: (message: string) => void;
}

export interface BusOperator {
  /** `nats:<operator id>`: how the registry names an operator on the bus. */
  url: string;
  registration: Registration;
  close(): Promise<void>;
}

/** Registration as a request on the announce subject; the gateway replies `{result}` or `{error}`. */
function busRegistration(nc: NatsConnection): SubmitRegistration {
  return async (registration, signal) => {
    const reply = await nc.request(SUBJECTS.announce, JSON.stringify(registration), { timeout: 5_000 });
    signal.throwIfAborted();
    const { error } = reply.json<{ error?: { code: string; message: string } }>();
    if (error) throw new NewtonError({ code: error.code as ErrorCode, message: `the gateway refused the registration: ${error.message}` });
  };
}

export async function serveOnBus(options: BusOperatorOptions): Promise<BusOperator> {
  const { core, signer, chainId } = options;
  const id = core.identity.operatorId.toLowerCase();
  const nc = await connect({ servers: options.servers, name: `newton-operator-${id.slice(0, 10)}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  /** Rounds being answered: shutdown lets them finish (up to 10 s) before it leaves the bus. */
  const pending = new Set<Promise<void>>();

  const publishSigned = async (subject: string, body: object) => {
    const payload = JSON.stringify(body);
    const h = natsHeaders();
    h.set(REPLY_SIGNATURE_HEADER, await signReply(signer, subject, payload));
    nc.publish(subject, payload, { headers: h });
  };

  const handle = async (msg: Msg, round: BusRound) => {
    let params: { operators?: unknown } & Record<string, unknown>;
    try {
      params = JSON.parse(msg.string());
    } catch {
      return;
    }
    if (!Array.isArray(params.operators) || !params.operators.includes(id)) return; // not asked in this round
    const taskId = requestTaskId(params) ?? EVERY_OPERATOR;
    const method = ROUND_METHOD[round];
    try {
      const headers = Object.fromEntries(Object.values(AUTH_HEADERS).map((name) => [name, msg.headers?.get(name) || undefined]));
      await core.authenticate(headers, method, params, EVERY_OPERATOR);
      const deadline = Number(headers[AUTH_HEADERS.deadline]);
      const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      const result = await core.run(method, params, signal);
      const subject = SUBJECTS.response(taskId, round);
      if (round === 'prepare') await publishSigned(subject, { operator_id: id, result });
      else nc.publish(subject, JSON.stringify({ operator_id: id, result }));
    } catch (err) {
      const { code = 'NEWTON_ERR_INTERNAL', message = String(err) } = err as { code?: string; message?: string };
      await publishSigned(SUBJECTS.errors, { operator_id: id, task_id: taskId, round, error: { code: code.startsWith('NEWTON_ERR_') ? code : 'NEWTON_ERR_INTERNAL', message } });
    }
  };
  const subscriptions: Subscription[] = (['prepare', 'evaluate'] as const).map((round) =>
    nc.subscribe(SUBJECTS.request(chainId, round), {
      callback: (err, msg) => {
        if (err) return;
        const work = handle(msg, round).catch((e: Error) => options.onWarning?.(e.message));
        pending.add(work);
        void work.finally(() => pending.delete(work));
      },
    }));

  const beat = () => nc.publish(SUBJECTS.heartbeat(core.identity.operatorId), JSON.stringify({ operator_id: id, at: Date.now() }));
  beat();
  const heartbeat = setInterval(beat, options.heartbeatMs ?? 1_000);
  const url = `nats:${id}`;
  const registration = keepRegistered({
    submit: busRegistration(nc),
    gateway: options.gateway,
    signer,
    identity: core.identity,
    secretsPublicKey: core.secretsPublicKey,
    url,
    renewMs: options.renewMs,
    onError: (err) => options.onWarning?.(`registration on the bus failed; retrying: ${err.message}`),
  });
  return {
    url,
    registration,
    async close() {
      clearInterval(heartbeat);
      registration.stop();
      for (const subscription of subscriptions) subscription.unsubscribe();
      await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      await nc.drain().catch(() => nc.close());
    },
  };
}
