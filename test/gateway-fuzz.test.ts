// Bad input: 10,000 fast-check requests through the app's full request path (inject) and 1,000
// more over a loopback socket — arbitrary JSON bodies, envelopes with random methods, ids and
// params, malformed text — each answered with a JSON-RPC body below HTTP 500, never a crash or a
// hang, with memory flat.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGateway, type TestGateway } from './fixtures/gateway/harness.js';

const METHODS = [
  'newt_createTask', 'newt_sendTask', 'newt_simulateTask', 'newt_simulatePolicy', 'newt_simulatePolicyData', 'newt_simulatePolicyDataWithClient',
  'newt_getPrivacyPublicKey', 'newt_getSecretsPublicKey', 'newt_storeEncryptedSecrets', 'newt_uploadIdentityEncrypted', 'newt_getIdentityEncrypted',
  'newt_uploadConfidentialData', 'newt_getConfidentialData', 'newt_registerWebhook', 'newt_unregisterWebhook', 'newton_publishPolicy',
  'newton_registerPolicyClient', 'newton_setPolicy', 'newton_getTask', 'newton_spendAttestation', 'newton_linkIdentity', 'newton_acceptGrant',
];

let t: TestGateway;
let base: string;
beforeAll(async () => {
  t = await openGateway({ rateLimitMax: 1_000_000, bodyLimit: 64 * 1024 });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => t.close());

const hexish = fc.oneof(fc.string(), fc.stringMatching(/^(0x)?[0-9a-fA-F]{0,70}$/));
const params = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('policy_client', 'intent', 'task_id', 'data_ref_id', 'envelope', 'url', 'signer', 'blocks', 'policy', 'wasm_args'), fc.oneof(hexish, fc.jsonValue({ maxDepth: 3 }))),
);
const envelope = fc.record(
  { jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue()), id: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.jsonValue()), method: fc.oneof(fc.constantFrom(...METHODS), fc.string()), params },
  { requiredKeys: [] },
);
const body = fc.oneof(
  envelope.map((e) => JSON.stringify(e)),
  fc.array(envelope, { maxLength: 3 }).map((b) => JSON.stringify(b)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.nat({ max: 300 }).map((n) => '['.repeat(n) + ']'.repeat(n % 7)),
);

/** Sends one request (over the socket or inject) and checks its reply; resolves to the milliseconds it took. */
async function probe(payload: string, withKey: boolean, socket = false): Promise<number> {
  const started = performance.now();
  const headers = { 'content-type': 'application/json', ...(withKey && { authorization: `Bearer ${t.writeKey}` }) };
  let status: number;
  let reply: any;
  if (socket) {
    const res = await fetch(`${base}/rpc`, { method: 'POST', body: payload, headers, signal: AbortSignal.timeout(10_000) });
    [status, reply] = [res.status, await res.json()];
  } else {
    const res = await t.app.inject({ method: 'POST', url: '/rpc', payload, headers });
    [status, reply] = [res.statusCode, res.json()];
  }
  expect(status, payload).toBeLessThan(500);
  for (const r of Array.isArray(reply) ? reply : [reply]) {
    expect(r.jsonrpc).toBe('2.0');
    expect('result' in r || typeof r.error?.code === 'number').toBe(true);
    if (r.error) expect(r.error.data.code).toMatch(/^NEWTON_ERR_[A-Z_]+$/);
  }
  return performance.now() - started;
}

describe('fuzzed requests', () => {
  it('11,000 bad requests, 32 at a time: a JSON-RPC body below 500 every time, memory flat', async () => {
    const cases = fc.sample(fc.tuple(body, fc.boolean()), { numRuns: 11_000, seed: 12 });
    const rssBefore = process.memoryUsage().rss;
    const times: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < cases.length) {
        const i = next++;
        const [payload, withKey] = cases[i]!;
        times.push(await probe(payload, withKey, i >= 10_000));
      }
    }));
    expect(times).toHaveLength(11_000);
    expect(Math.max(...times)).toBeLessThan(5_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
    expect(await probe('{"jsonrpc":"2.0","id":1,"method":"newt_getPrivacyPublicKey"}', true, true)).toBeLessThan(5_000);
  }, 120_000);
});
