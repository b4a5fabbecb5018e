// A local HTTP server for PolicyData tests: loopback only, an ephemeral port, canned responses per
// `METHOD /path` (the query string is not part of the match), every request recorded.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as UTF-8; an object as JSON (content-type application/json). */
  body?: string | Uint8Array | object;
  /** Wait this long before answering (for timeout tests). */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/x?y=1`. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type FixtureRoute = FixtureResponse | ((req: RecordedRequest) => FixtureResponse);

export interface FixtureServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** `127.0.0.1:PORT`: what an allowHosts entry admitting only this server looks like. */
  hostPort: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Adds or replaces the route for `METHOD /path`. */
  route(key: string, route: FixtureRoute): void;
  close(): Promise<void>;
}

export async function startFixtureServer(routes: Record<string, FixtureRoute> = {}): Promise<FixtureServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      const route = table.get(`${recorded.method} ${recorded.url.split('?')[0]}`);
      const answer = route === undefined ? { status: 404, body: { error: `no fixture for ${recorded.method} ${recorded.url}` } } : typeof route === 'function' ? route(recorded) : route;
      setTimeout(() => send(res, answer), answer.delayMs ?? 0);
    });
  });
  server.keepAliveTimeout = 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    port,
    requests,
    route: (key, route) => void table.set(key, route),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function send(res: http.ServerResponse, answer: FixtureResponse) {
  const { body } = answer;
  const json = body !== undefined && typeof body === 'object' && !(body instanceof Uint8Array);
  const bytes = body === undefined ? Buffer.alloc(0) : json ? Buffer.from(JSON.stringify(body)) : Buffer.from(body as string | Uint8Array);
  const headers = { ...(json ? { 'content-type': 'application/json' } : {}), ...answer.headers, 'content-length': String(bytes.length) };
  res.writeHead(answer.status ?? 200, headers);
  res.end(bytes);
}
