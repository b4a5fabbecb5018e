// A stand-in for a chain's JSON-RPC endpoint on loopback, for the devnet's gas-price oracle
// (examples/oracles/gas-price): it answers eth_chainId and eth_gasPrice, single or batched, with
// the price settable while it runs, and counts the requests it served.
import { once } from 'node:events';
import http from 'node:http';

/** Starts on 127.0.0.1 (an ephemeral port); `gasPriceWei` can be changed on the returned object. */
export async function startFixtureChainRpc({ chainId, gasPriceWei }) {
  const state = { gasPriceWei: BigInt(gasPriceWei), requests: 0 };
  const answer = (call) => {
    const result = { eth_chainId: `0x${chainId.toString(16)}`, eth_gasPrice: `0x${state.gasPriceWei.toString(16)}` }[call?.method];
    if (result !== undefined) return { jsonrpc: '2.0', id: call.id, result };
    return { jsonrpc: '2.0', id: call?.id ?? null, error: { code: -32601, message: `method not found: ${call?.method}` } };
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      state.requests += 1;
      let reply;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
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
  const { port } = server.address();
  return Object.assign(state, {
    origin: `http://127.0.0.1:${port}`,
    /** What a PolicyDataHost `allowHosts` entry admitting only this server looks like. */
    hostPort: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  });
}
