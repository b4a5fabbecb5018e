// Starting an operator service: builds the app, listens (port 0 picks a free one) and, given a
// gateway, registers with it and keeps the registration renewed until the app closes.
import type { Hex } from 'newton-engine';
import { buildOperatorApp, type OperatorApp, type OperatorAppOptions } from './app.js';
import { httpRegistration, keepRegistered, type Registration } from './registration.js';

export interface StartOperatorOptions extends OperatorAppOptions {
  /** The interface to listen on (default 127.0.0.1). */
  listenHost?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Register with this gateway (its base URL); the gateway must admit the operator's id. */
  gatewayUrl?: string;
  /** How often the registration is renewed (default 10,000 ms). */
  renewMs?: number;
}

export interface RunningOperator extends OperatorApp {
  url: string;
  /** With `gatewayUrl`: the registration loop (`first` resolves once the gateway has admitted it). */
  registration?: Registration;
}

/** The listening app, its identity and base URL. */
export async function startOperator(options: StartOperatorOptions): Promise<RunningOperator> {
  const { listenHost = '127.0.0.1', port = 0, gatewayUrl, renewMs, ...appOptions } = options;
  const { app, identity, secretsPublicKey } = await buildOperatorApp(appOptions);
  let registration: Registration | undefined;
  app.addHook('onClose', async () => registration?.stop());
  try {
    await app.listen({ host: listenHost, port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the operator service is not on a TCP port');
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shown}:${address.port}`;
  if (gatewayUrl === undefined) return { app, identity, secretsPublicKey, url };
  registration = keepRegistered({
    submit: httpRegistration(gatewayUrl),
    gateway: appOptions.gatewayAddress as Hex,
    signer: appOptions.signer,
    identity,
    secretsPublicKey,
    url,
    renewMs,
    onError: (err) => app.log.warn({ err: err.message }, 'registration with the gateway failed; retrying'),
  });
  return { app, identity, secretsPublicKey, url, registration };
}
