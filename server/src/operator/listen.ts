// Starting an operator service: builds the app and listens (port 0 picks a free one).
import { buildOperatorApp, type OperatorApp, type OperatorAppOptions } from './app.js';

export interface StartOperatorOptions extends OperatorAppOptions {
  /** The interface to listen on (default 127.0.0.1). */
  listenHost?: string;
  /** Default 0 (any free port). */
  port?: number;
}

/** The listening app, its identity and base URL. */
export async function startOperator(options: StartOperatorOptions): Promise<OperatorApp & { url: string }> {
  const { listenHost = '127.0.0.1', port = 0, ...appOptions } = options;
  const { app, identity } = await buildOperatorApp(appOptions);
  try {
    await app.listen({ host: listenHost, port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the operator service is not on a TCP port');
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { app, identity, url: `http://${shown}:${address.port}` };
}
