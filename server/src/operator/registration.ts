// The operator's side of registration: the gateway's signing address (pinned, or as the gateway
// reports it at GET /operators), and a loop that registers the service's URL and renews it,
// retrying with backoff while the gateway is away (a restarted gateway learns its operators back).
import { NewtonError, type BlsSigner, type Hex } from 'newton-engine';
import { signRegistration } from '../network/registration.js';
import type { OperatorIdentity } from '../network/transport.js';

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/** What the gateway answers at GET /operators: its signing address. */
export async function gatewayAddress(gatewayUrl: string, signal?: AbortSignal): Promise<Hex> {
  const response = await fetch(new URL('operators', withSlash(gatewayUrl)), { signal });
  const body = (await response.json()) as { gateway?: string };
  if (!response.ok || typeof body.gateway !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(body.gateway)) {
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `${gatewayUrl} did not report a gateway address (HTTP ${response.status})` });
  }
  return body.gateway as Hex;
}

export interface KeepRegisteredOptions {
  gatewayUrl: string;
  gateway: Hex;
  signer: BlsSigner;
  identity: OperatorIdentity;
  /** The X25519 key the gateway is to seal clients' secrets to. */
  secretsPublicKey: Hex;
  /** Where the gateway reaches this service. */
  url: string;
  /** How often the registration is renewed (default 10,000 ms). */
  renewMs?: number;
  /** Told of each failed attempt (the loop keeps trying). */
  onError?: (err: Error) => void;
}

export interface Registration {
  /** The first accepted registration; rejects when the gateway refuses this operator (401/403). */
  first: Promise<void>;
  stop(): void;
}

/** Registers now and every `renewMs`; a failure is retried after 250 ms, doubling up to `renewMs`. */
export function keepRegistered(options: KeepRegisteredOptions): Registration {
  const renewMs = options.renewMs ?? 10_000;
  const endpoint = new URL('operators', withSlash(options.gatewayUrl));
  const stopped = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let retryMs = 250;
  let settle: { resolve(): void; reject(err: Error): void } | undefined;
  const first = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const attempt = async () => {
    if (stopped.signal.aborted) return;
    try {
      const registration = await signRegistration(options.signer, options.identity, { gateway: options.gateway, url: options.url, secretsPublicKey: options.secretsPublicKey });
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(registration),
        signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(renewMs)]),
      });
      const body = (await response.json().catch(() => ({}))) as { error?: { message?: string; data?: { code?: string } } };
      if (!response.ok) {
        const err = new NewtonError({ code: (body.error?.data?.code ?? 'NEWTON_ERR_IO') as 'NEWTON_ERR_IO', message: `the gateway refused the registration (HTTP ${response.status}): ${body.error?.message ?? ''}` });
        if (response.status === 401 || response.status === 403) settle?.reject(err);
        throw err;
      }
      settle?.resolve();
      retryMs = 250;
      schedule(renewMs);
    } catch (err) {
      if (stopped.signal.aborted) return;
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
