// Content from the gateway over HTTP: the operator's side (`gatewayContent`, a ContentSource
// reading GET <gateway>/content/<cid>) and the gateway's side (`contentRoute`, serving a
// ContentSource there). Callers check the bytes against the id (`fetchVerified`).
import { NewtonError } from 'newton-engine';
import type { FastifyInstance } from 'fastify';
import type { ContentSource } from '../network/transport.js';
import { errorReply } from '../rpc/dispatch.js';
import { RPC, RpcError } from '../rpc/errors.js';

/** CIDv1 base32 (what `policyCid` produces) — nothing that could escape the path. */
const CID = /^b[a-z2-7]{20,200}$/;

/** A ContentSource fetching from `baseUrl` (the gateway); at most `maxBytes` per item (default 64 MiB). */
export function gatewayContent(baseUrl: string | URL, options: { maxBytes?: number } = {}): ContentSource {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  return {
    async get(cid, signal) {
      if (!CID.test(cid)) throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `${JSON.stringify(cid)} is not a content id` });
      let response: Response;
      try {
        response = await fetch(new URL(`content/${cid}`, withSlash(baseUrl)), { signal });
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `content ${cid}: the gateway is unreachable (${(err as Error).message})` });
      }
      if (response.status === 404) {
        await response.body?.cancel();
        throw new NewtonError({ code: 'NEWTON_ERR_NOT_FOUND', message: `the gateway has no content with id ${cid}` });
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `content ${cid}: the gateway answered HTTP ${response.status}` });
      }
      const length = Number(response.headers.get('content-length') ?? 0);
      if (length > maxBytes) {
        await response.body?.cancel();
        throw new NewtonError({ code: 'NEWTON_ERR_LIMIT_SIZE', message: `content ${cid} is ${length} bytes (at most ${maxBytes})` });
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length > maxBytes) throw new NewtonError({ code: 'NEWTON_ERR_LIMIT_SIZE', message: `content ${cid} is over ${maxBytes} bytes` });
      return bytes;
    },
  };
}

const withSlash = (url: string | URL) => {
  const text = String(url);
  return text.endsWith('/') ? text : `${text}/`;
};

/** Serves `source` at GET /content/:cid (octet-stream; a JSON-RPC error body at 404 for unknown or malformed ids). */
export function contentRoute(app: FastifyInstance, source: ContentSource): void {
  app.get<{ Params: { cid: string } }>('/content/:cid', async (req, reply) => {
    const { cid } = req.params;
    let bytes: Uint8Array | undefined;
    if (CID.test(cid)) bytes = await source.get(cid).catch(() => undefined);
    if (bytes === undefined) {
      const err = new RpcError('NEWTON_ERR_NOT_FOUND', `no content with id ${cid}`, { rpcCode: RPC.INVALID_REQUEST, httpStatus: 404 });
      return reply.code(404).send(errorReply(null, err));
    }
    return reply.type('application/octet-stream').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}
