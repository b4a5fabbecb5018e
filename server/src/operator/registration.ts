// The operator's side of registration: the gateway's signing address and chain (as the gateway
// reports them at GET /operators), and a loop that registers the service and renews it, over
// HTTP or the bus, retrying with backoff while the gateway is away (a restarted gateway learns
// its operators back).
import { NewtonError, type BlsSigner, type Hex } from 'newton-engine';
import { signRegistration, type OperatorRegistration } from '../network/registration.js';
import type { OperatorIdentity } from '../network/transport.js';

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/** What the gateway reports at GET /operators: its signing address and its chain. */
export async function gatewayInfo(gatewayUrl: string, signal?: AbortSignal): Promise<{ gateway: Hex; chainId: number }> {
  const response = await fetch(new URL('operators', withSlash(gatewayUrl)), { signal });
  const body = (await response.json()) as { gateway?: string; chain_id?: number };
  if (!response.ok || typeof body.gateway !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(body.gateway) || !Number.isSafeInteger(body.chain_id)) {
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `${gatewayUrl} did not report a gateway address and chain (HTTP ${response.status})` });
  }
  return { gateway: body.gateway as Hex, chainId: body.chain_id! };
}

/** Delivers one signed registration; rejects with the gateway's NewtonError code when refused. */
export type SubmitRegistration = (registration: OperatorRegistration, signal: AbortSignal) => Promise<void>;

/** Refusals that retrying cannot mend: the operator is not admitted, or signs for another gateway. */
const FINAL = new Set(['NEWTON_ERR_UNAUTHORIZED', 'NEWTON_ERR_FORBIDDEN']);

/** Registration by POST <gateway>/operators. */
export function httpRegistration(gatewayUrl: string): SubmitRegistration {
  const endpoint = new URL('operators', withSlash(gatewayUrl));
  return async (registration, signal) => {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration), signal });
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string; data?: { code?: string } } };
    if (!response.ok) {
      throw new NewtonError({ code: (body.error?.data?.code ?? 'NEWTON_ERR_IO') as 'NEWTON_ERR_IO', message: `the gateway refused the registration (HTTP ${response.status}): ${body.error?.message ?? ''}` });
    }
  };
}

export interface KeepRegisteredOptions {
  /** How a registration reaches the gateway (`httpRegistration(url)`, or the bus's). */
  submit: SubmitRegistration;
  gateway: Hex;
  signer: BlsSigner;
  identity: OperatorIdentity;
  /** The X25519 key the gateway is to seal clients' secrets to. */
  secretsPublicKey: Hex;
  /** Where the gateway reaches this service (`http://…`, or `nats:<operator id>` on the bus). */
  url: string;
  /** How often the registration is renewed (default 10,000 ms). */
  renewMs?: number;
  /** Told of each failed attempt (the loop keeps trying). */
  onError?: (err: Error) => void;
}

export interface Registration {
  /** The first accepted registration; rejects when the gateway refuses this operator for good (not admitted, another gateway). */
  first: Promise<void>;
  stop(): void;
}

/** Registers now and every `renewMs`; a failure is retried after 250 ms, doubling up to `renewMs`. */
export function keepRegistered(options: KeepRegisteredOptions): Registration {
  const renewMs = options.renewMs ?? 10_000;
  const stopped = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let retryMs = 250;
  let settle: { resolve(): void; reject(err: Error): void } | undefined;
  const first = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const attempt = async () => {
    if (stopped.signal.aborted) return;
    try {
      const registration = await signRegistration(options.signer, options.identity, { gateway: options.gateway, url: options.url, secretsPublicKey: options.secretsPublicKey });
      await options.submit(registration, AbortSignal.any([stopped.signal, AbortSignal.timeout(renewMs)]));
      settle?.resolve();
      retryMs = 250;
      schedule(renewMs);
    } catch (err) {
      if (stopped.signal.aborted) return;
      if (FINAL.has((err as NewtonError).code)) settle?.reject(err as Error);
      options.onError?.(err as Error);
      schedule(retryMs);
      retryMs = Math.min(retryMs * 2, renewMs);
    }
  };
  const schedule = (ms: number) => {
    if (!stopped.signal.aborted) timer = setTimeout(() => void attempt(), ms);
  };
  first.catch(() => undefined);
  void attempt();
  return {
    first,
    stop() {
      stopped.abort();
      clearTimeout(timer);
      settle?.reject(new Error('registration stopped'));
    },
  };
}
