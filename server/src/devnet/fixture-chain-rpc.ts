// A stand-in for a chain's JSON-RPC endpoint on loopback, for the devnet's gas-price oracle
// (examples/oracles/gas-price): it answers eth_chainId and eth_gasPrice, single or batched, with
// the price settable while it runs, and counts the requests it served.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Call {
  id?: unknown;
  method?: string;
}

export interface FixtureChainRpc {
  /** Settable while it runs. */
  gasPriceWei: bigint;
  requests: number;
  origin: string;
  /** What a PolicyDataHost `allowHosts` entry admitting only this server looks like. */
  hostPort: string;
  close(): Promise<void>;
}

/** Starts on 127.0.0.1 (an ephemeral port). */
export async function startFixtureChainRpc({ chainId, gasPriceWei }: { chainId: number; gasPriceWei: bigint }): Promise<FixtureChainRpc> {
  const answer = (call: Call | null) => {
    const result = ({ eth_chainId: `0x${chainId.toString(16)}`, eth_gasPrice: `0x${state.gasPriceWei.toString(16)}` } as Record<string, string>)[call?.method ?? ''];
    if (result !== undefined) return { jsonrpc: '2.0', id: call?.id, result };
    return { jsonrpc: '2.0', id: call?.id ?? null, error: { code: -32601, message: `method not found: ${call?.method}` } };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.requests += 1;
      let reply: unknown;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Call | Call[];
        reply = Array.isArray(body) ? body.map(answer) : answer(body);
      } catch {
        reply = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } };
      }
      const bytes = Buffer.from(JSON.stringify(reply));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
      res.end(bytes);
    });
  });
  server.keepAliveTimeout = 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: FixtureChainRpc = {
    gasPriceWei,
    requests: 0,
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return state;
}
