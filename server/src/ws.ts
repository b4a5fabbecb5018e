// GET /ws?api_key=…: task progress. A client sends
// {"type":"subscribe","id":"sub-1","method":"newton.task.0x…","params":null} and receives
// {"type":"update","subscription":"sub-1","result":{event, task_id, timestamp, data:{status,
// operator_responses, result, progress}}} for each stage; a task that already ended answers with
// its final update at once. {"type":"unsubscribe","id":"sub-1"} stops one subscription.
// The network-wide topic `newton.tasks` streams every task's updates, starting with the latest
// update of each of the last RECENT_TASKS tasks (the network page's feed).
import type { FastifyInstance } from 'fastify';
import type { Hex } from 'newton-engine';
import type { WebSocket } from '@fastify/websocket';
import { authenticate } from './app.js';
import type { Gateway } from './gateway.js';
import { errorReply } from './rpc/dispatch.js';
import { RpcError, invalidParams, notFound, toRpcError } from './rpc/errors.js';
import type { TaskRecord } from './store/store.js';
import { ALL_TASKS } from './tasks/service.js';
import type { TaskResult, TaskUpdate } from './tasks/results.js';

const TOPIC = /^newton\.task\.(0x[0-9a-fA-F]{64})$/;
const ALL_TOPIC = 'newton.tasks';
const MAX_SUBSCRIPTIONS = 256;
/** Tasks whose latest update a `newton.tasks` subscriber gets first. */
const RECENT_TASKS = 50;

/** The final update of a task that already ended, from its stored result. */
function storedUpdate(record: TaskRecord): TaskUpdate {
  const result = record.result as unknown as TaskResult;
  const ok = result.status === 'success';
  return {
    event: ok ? 'aggregated' : 'failed',
    task_id: record.taskId,
    timestamp: result.timestamp,
    data: { status: ok ? 'responded' : 'failed', operator_responses: [], result, progress: { round: null, operators: 0, answered: 0, agreeing_stake_percent: 0, quorum_threshold: record.task.quorumThresholdPercentage as number } },
  };
}

/** The latest update of each of the last RECENT_TASKS tasks, oldest first. */
function recentUpdates(gateway: Gateway): Map<string, TaskUpdate> {
  const recent = new Map<string, TaskUpdate>();
  gateway.events.on(ALL_TASKS, (update) => {
    recent.delete(update.task_id);
    recent.set(update.task_id, update);
    if (recent.size > RECENT_TASKS) recent.delete(recent.keys().next().value!);
  });
  return recent;
}

export function websocketRoute(app: FastifyInstance, gateway: Gateway): void {
  const recent = recentUpdates(gateway);
  app.get(
    '/ws',
    {
      websocket: true,
      // Runs before the upgrade: a bad key gets a JSON 401 and no socket.
      preValidation: async (req, reply) => {
        const key = await authenticate(gateway, req);
        if (key instanceof RpcError) return reply.code(key.httpStatus).send(errorReply(null, key));
        if (!key.permissions.includes('read')) {
          const err = new RpcError('NEWTON_ERR_FORBIDDEN', 'RpcRead permission required', { httpStatus: 403 });
          return reply.code(403).send(errorReply(null, err));
        }
      },
    },
    (socket: WebSocket) => {
      const subscriptions = new Map<string, { taskId: Hex | typeof ALL_TASKS; listener: (u: TaskUpdate) => void }>();
      const send = (message: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      const unsubscribe = (id: string) => {
        const sub = subscriptions.get(id);
        if (sub) gateway.events.off(sub.taskId, sub.listener);
        subscriptions.delete(id);
      };

      socket.on('message', async (raw: Buffer) => {
        let id: string | null = null;
        try {
          let message: { type?: unknown; id?: unknown; method?: unknown };
          try {
            message = JSON.parse(raw.toString());
          } catch {
            throw new RpcError('NEWTON_ERR_INVALID_JSON', 'Parse error: the message is not valid JSON', { rpcCode: -32700 });
          }
          if (typeof message !== 'object' || message === null) throw invalidParams('a message is a JSON object');
          if (typeof message.id !== 'string' || message.id.length === 0 || message.id.length > 128) throw invalidParams('id must be a non-empty string');
          id = message.id;
          if (message.type === 'unsubscribe') return (unsubscribe(id), send({ type: 'unsubscribed', id }));
          if (message.type !== 'subscribe') throw invalidParams('type must be "subscribe" or "unsubscribe"');
          const topic = typeof message.method === 'string' ? TOPIC.exec(message.method) : null;
          if (!topic && message.method !== ALL_TOPIC) throw invalidParams(`method must be a subscription_topic (newton.task.0x<task id>) or ${ALL_TOPIC}`);
          if (subscriptions.has(id) || subscriptions.size >= MAX_SUBSCRIPTIONS) throw invalidParams(`subscription ${id} exists or too many subscriptions`);
          if (!topic) {
            const listener = (update: TaskUpdate) => send({ type: 'update', subscription: id, result: update });
            const backlog = [...recent.values()];
            subscriptions.set(id, { taskId: ALL_TASKS, listener });
            gateway.events.on(ALL_TASKS, listener);
            send({ type: 'subscribed', id, subscription: id });
            for (const update of backlog) listener(update);
            return;
          }
          const taskId = topic[1]!.toLowerCase() as Hex;
          if (!(await gateway.store.task(taskId))) throw notFound(`no task ${taskId}`);
          const listener = (update: TaskUpdate) => {
            send({ type: 'update', subscription: id, result: update });
            if (update.event === 'aggregated' || update.event === 'failed') unsubscribe(id!);
          };
          subscriptions.set(id, { taskId, listener });
          gateway.events.on(taskId, listener);
          send({ type: 'subscribed', id, subscription: id });
          // Read again now that we listen: a task that ended before gets its final update here
          // (one that ends from now on reaches the listener, which then unsubscribes).
          const record = await gateway.store.task(taskId);
          if (record?.result && subscriptions.has(id)) listener(storedUpdate(record));
        } catch (err) {
          send({ type: 'error', id, error: toRpcError(err).toJson() });
        }
      });
      socket.on('close', () => {
        for (const id of [...subscriptions.keys()]) unsubscribe(id);
      });
    },
  );
}
