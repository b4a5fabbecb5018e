// The gateway as the page sees it: JSON-RPC at /rpc, GET /operators and the `newton.tasks`
// WebSocket feed, all authenticated by the page's session cookie (same origin).

export type Hex = `0x${string}`;

export interface Operator {
  operator_id: Hex;
  operator_address: Hex;
  stake: Record<string, string>;
  url: string;
  live: boolean;
  last_seen: number;
  unreachable_since: number | null;
}

export interface OperatorResponse {
  operator_id: Hex;
  round: 'prepare' | 'commit';
  status: 'ok' | 'error';
  allow?: boolean;
  /** Why the operator's evaluation denied (not signed). */
  reason?: string;
  error_code?: string;
  elapsed_ms: number;
}

export interface Certificate {
  signers: Hex[];
  non_signers: Hex[];
  threshold: number;
  signed_stake: Record<string, string>;
  total_stake: Record<string, string>;
  aggregate_signature: Hex;
  message: Hex;
}

export interface TaskResult {
  task_id: Hex;
  status: 'success' | 'failed';
  task_response?: { policy_client: Hex; policy_id: Hex; policy_address: Hex; evaluation_result: number[] };
  certificate?: Certificate;
  reference_block?: number;
  expiration?: number;
  error?: { code: string; message: string } | null;
  operator_errors: Array<{ operator_id: Hex; error_code: string; message: string }>;
  timestamp: number;
}

export interface TaskUpdate {
  event: 'created' | 'operator_response' | 'prepared' | 'aggregated' | 'failed';
  task_id: Hex;
  timestamp: number;
  data: {
    status: string;
    operator_responses: OperatorResponse[];
    result: TaskResult | null;
    progress: { round: string | null; operators: number; answered: number; agreeing_stake_percent: number; quorum_threshold: number };
  };
}

export class RpcFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

let nextId = 1;

export async function rpc<T>(method: string, params: unknown): Promise<T> {
  const response = await fetch('/rpc', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string; data?: { code?: string } } };
  if (body.error) throw new RpcFailure(body.error.data?.code ?? 'NEWTON_ERR_INTERNAL', body.error.message);
  return body.result as T;
}

/** GET /operators: the gateway's signing address (it signs the log's tree heads) and its operators. */
export async function network(): Promise<{ gateway: Hex; operators: Operator[] }> {
  const response = await fetch('/operators');
  if (!response.ok) throw new Error(`GET /operators: ${response.status}`);
  return (await response.json()) as { gateway: Hex; operators: Operator[] };
}

export async function parsedIntent(taskId: Hex): Promise<unknown> {
  const response = await fetch(`/ui/api/tasks/${taskId}/intent`);
  const body = await response.json();
  if (!response.ok) throw new Error((body as { error?: { message: string } }).error?.message ?? `status ${response.status}`);
  return body;
}

/** Every task's updates (the last tasks' latest first); reconnects after 1 s. Returns a stop function. */
export function taskFeed(onUpdate: (update: TaskUpdate) => void, onState: (connected: boolean) => void): () => void {
  let socket: WebSocket | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    socket.onopen = () => socket!.send(JSON.stringify({ type: 'subscribe', id: 'tasks', method: 'newton.tasks', params: null }));
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as { type: string; result?: TaskUpdate };
      if (message.type === 'subscribed') onState(true);
      if (message.type === 'update' && message.result) onUpdate(message.result);
    };
    socket.onclose = () => {
      onState(false);
      if (!stopped) retry = setTimeout(connect, 1_000);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}

export const short = (hex: string, n = 10) => (hex.length > n + 4 ? `${hex.slice(0, n)}…` : hex);
/** The decision an attestation carries: abi.encode(bool) ends in 1 for an allow. */
export const allowed = (result: TaskResult) => result.task_response?.evaluation_result.at(-1) === 1;
