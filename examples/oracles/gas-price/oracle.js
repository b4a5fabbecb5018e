// PolicyData oracle `gas_price`: the current gas price of an EVM chain from its JSON-RPC endpoint
// (one batch POST: eth_chainId + eth_gasPrice). Built against the legacy newton:provider@0.1.0
// world (http only), as older Newton oracles are.
//
// wasm_args: {"gas_price": {"rpc_url": "https://…"}} (or the inner object alone).
// output:    {"gas_price": {"chain_id": "<decimal>", "wei": "<decimal>", "gwei": <number>}},
//            or {"gas_price": {"error": "…"}} on any failure, so the policy fails closed.
import { fetch } from 'newton:provider/http@0.1.0';

const PACK_ID = 'gas_price';

export async function run(input) {
  try {
    const parsed = JSON.parse(input || '{}');
    return JSON.stringify({ [PACK_ID]: await gasPrice(parsed[PACK_ID] ?? parsed) });
  } catch (err) {
    return JSON.stringify({ [PACK_ID]: { error: message(err) } });
  }
}

async function gasPrice(args) {
  if (typeof args.rpc_url !== 'string' || !/^https?:\/\//.test(args.rpc_url)) throw new Error('wasm_args.rpc_url must be an http(s) URL');
  const [chainId, price] = rpcBatch(args.rpc_url, ['eth_chainId', 'eth_gasPrice']);
  const wei = BigInt(price);
  return { chain_id: BigInt(chainId).toString(), wei: wei.toString(), gwei: toGwei(wei) };
}

/** One JSON-RPC batch; the results in request order, each a 0x quantity. */
function rpcBatch(url, methods) {
  const request = methods.map((method, id) => ({ jsonrpc: '2.0', id, method, params: [] }));
  const res = fetch({
    url,
    method: 'POST',
    headers: [['content-type', 'application/json']],
    body: new TextEncoder().encode(JSON.stringify(request)),
  });
  if (res.status !== 200) throw new Error(`POST ${url}: HTTP ${res.status}`);
  const replies = JSON.parse(new TextDecoder().decode(res.body));
  if (!Array.isArray(replies)) throw new Error(`POST ${url}: not a JSON-RPC batch reply`);
  return methods.map((method, id) => {
    const reply = replies.find((r) => r.id === id);
    if (reply?.error) throw new Error(`${method}: ${reply.error.message ?? JSON.stringify(reply.error)}`);
    if (typeof reply?.result !== 'string' || !/^0x[0-9a-fA-F]+$/.test(reply.result)) throw new Error(`${method}: no quantity in the reply`);
    return reply.result;
  });
}

/** wei → gwei as a JSON number, exact to the 9 decimals a gwei has. */
function toGwei(wei) {
  const whole = wei / 1000000000n;
  const frac = (wei % 1000000000n).toString().padStart(9, '0').replace(/0+$/, '');
  return Number(frac ? `${whole}.${frac}` : `${whole}`);
}

function message(err) {
  if (typeof err === 'string') return err;
  return String(err?.payload ?? err?.message ?? err);
}
