// Operator registration at the gateway (POST /operators, GET /operators, GET /content/:cid)
// through app.inject: an admitted operator's signed registration changes the registry and is
// kept in operators.json (a reopened gateway knows it at once); a renewal changes nothing; every
// wrong registration is refused with its code and status and leaves the set as it was.
import fs from 'node:fs';
import path from 'node:path';
import { keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import { bytesToHex, generatePrivacyKey, type Hex } from '../bindings/dist/index.js';
import { operatorIdentity } from '../server/dist/network/identity.js';
import { signRegistration, type OperatorRegistration } from '../server/dist/network/registration.js';
import { OTHER, OWNER, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';
import { signer } from './fixtures/gateway-network/network.js';

const [one, two, three] = [signer(1), signer(2), signer(3)];
const idOf = (s: typeof one): Hex => keccak256(s.publicKey);
const SECRETS_KEY = generatePrivacyKey().publicKey;

async function register(t: TestGateway, body: unknown) {
  const res = await t.app.inject({ method: 'POST', url: '/operators', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.statusCode, body: res.json() };
}

const registration = (s: typeof one, t: TestGateway, overrides: { url?: string; issuedAt?: number; gateway?: Hex; stake?: number } = {}) =>
  signRegistration(s, operatorIdentity(s, { 0: overrides.stake ?? 1000 }), {
    gateway: overrides.gateway ?? t.gateway.account.address,
    url: overrides.url ?? 'http://127.0.0.1:9545',
    secretsPublicKey: SECRETS_KEY,
    issuedAt: overrides.issuedAt,
  });

const listed = async (t: TestGateway) => (await t.app.inject({ method: 'GET', url: '/operators' })).json();

describe('POST /operators', () => {
  it('admits a signed registration, keeps it across a restart, and renews without rebuilding', async () => {
    const dir = tempDir('registration');
    const t = await openGateway({ admitOperators: [idOf(one), idOf(two)] }, dir);
    expect((await listed(t))).toEqual({ gateway: t.gateway.account.address, chain_id: 11155111, accepts_registrations: true, operators: [] });
    expect(() => t.gateway.requireNetwork()).toThrow(expect.objectContaining({ code: 'NEWTON_ERR_UNAVAILABLE' }));

    const first = await register(t, await registration(one, t));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ operator_id: idOf(one), url: 'http://127.0.0.1:9545', stake: { 0: '1000' }, gateway: t.gateway.account.address, operators: 1 });
    const registry = t.gateway.network!.registry;
    expect(JSON.parse(registry.toJson())).toEqual([expect.objectContaining({ operator_id: idOf(one), public_key: bytesToHex(one.publicKey) })]);

    // A renewal (same URL and stake, newer signature) leaves the registry object as it is.
    expect((await register(t, await registration(one, t))).status).toBe(200);
    expect(t.gateway.network!.registry).toBe(registry);
    // A new URL or a second operator builds a new one.
    expect((await register(t, await registration(one, t, { url: 'http://127.0.0.1:9546' }))).status).toBe(200);
    expect((await register(t, await registration(two, t))).body.operators).toBe(2);
    expect(t.gateway.network!.registry).not.toBe(registry);
    expect(t.gateway.network!.registry.totalStake(0)).toBe(2000n);
    expect((await listed(t)).operators.map((o: { url: string }) => o.url).sort()).toEqual(['http://127.0.0.1:9545', 'http://127.0.0.1:9546']);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'operators.json'), 'utf8')) as OperatorRegistration[];
    expect(saved.map((r) => r.operatorId).sort()).toEqual([idOf(one), idOf(two)].sort());
    expect(fs.statSync(path.join(dir, 'operators.json')).mode & 0o777).toBe(0o600);
    await t.close();

    const reopened = await openGateway({ admitOperators: [idOf(one), idOf(two)] }, dir, { readKey: t.readKey, writeKey: t.writeKey });
    expect(reopened.gateway.network!.operatorCount).toBe(2);
    expect(reopened.gateway.network!.registry.totalStake(0)).toBe(2000n);
    await reopened.close();
  });

  it('refuses wrong registrations with their codes and keeps the set as it was', async () => {
    const t = await openGateway({ admitOperators: [idOf(one), idOf(two)] });
    expect((await register(t, await registration(one, t))).status).toBe(200);
    const good = await registration(two, t);
    const cases: Array<[string, unknown, number, string]> = [
      ['not admitted', await registration(three, t), 403, 'NEWTON_ERR_FORBIDDEN'],
      ['for another gateway', await registration(two, t, { gateway: OTHER.address }), 401, 'NEWTON_ERR_UNAUTHORIZED'],
      ['stale', await registration(two, t, { issuedAt: Date.now() - 600_000 }), 401, 'NEWTON_ERR_UNAUTHORIZED'],
      ['from the future', await registration(two, t, { issuedAt: Date.now() + 600_000 }), 401, 'NEWTON_ERR_UNAUTHORIZED'],
      ['stake raised after signing', { ...good, stake: { 0: '1000000' } }, 401, 'NEWTON_ERR_UNAUTHORIZED'],
      ['url changed after signing', { ...good, url: 'http://127.0.0.1:1' }, 401, 'NEWTON_ERR_UNAUTHORIZED'],
      ['signed by another key', { ...good, signature: (await registration(one, t)).signature }, 401, 'NEWTON_ERR_UNAUTHORIZED'],
      ['an id that is not its key', { ...good, operatorId: idOf(one) }, 400, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['another key’s proof of possession', { ...good, proofOfPossession: bytesToHex(one.proofOfPossession()) }, 400, ''],
      ['not an object', [good], 400, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['no signature', { ...good, signature: undefined }, 400, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['a file: url', { ...good, url: 'file:///etc/passwd' }, 400, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['quorum 256', { ...good, stake: { 256: '1' } }, 400, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['no secrets key', { ...good, secretsPublicKey: undefined }, 400, 'NEWTON_ERR_INVALID_ARGUMENT'],
      ['secrets key changed after signing', { ...good, secretsPublicKey: generatePrivacyKey().publicKey }, 401, 'NEWTON_ERR_UNAUTHORIZED'],
      ['a numeric stake', { ...good, stake: { 0: 1000 } }, 400, 'NEWTON_ERR_INVALID_ARGUMENT'],
    ];
    for (const [what, body, status, code] of cases) {
      const res = await register(t, body);
      expect(res.status, what).toBe(status);
      expect(res.body, what).toMatchObject({ jsonrpc: '2.0', id: null, error: { message: expect.any(String) } });
      if (code) expect(res.body.error.data.code, what).toBe(code);
    }
    const notJson = await t.app.inject({ method: 'POST', url: '/operators', payload: '{', headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.data.code).toBe('NEWTON_ERR_INVALID_JSON');
    expect((await listed(t)).operators.map((o: { operator_id: string }) => o.operator_id)).toEqual([idOf(one)]);
    expect(t.gateway.network!.operatorCount).toBe(1);
    await t.close();
  });

  it('is refused by a gateway that runs its own operators, which still lists its address', async () => {
    const t = await openGateway({ operators: 2 });
    const res = await register(t, await registration(one, t));
    expect(res.status).toBe(403);
    expect(res.body.error.data.code).toBe('NEWTON_ERR_FORBIDDEN');
    expect(await listed(t)).toEqual({ gateway: t.gateway.account.address, chain_id: 11155111, accepts_registrations: false, operators: [] });
    await t.close();
  });
});

describe('GET /content/:cid', () => {
  it('serves published bytes by id and answers unknown or malformed ids with a JSON 404', async () => {
    const t = await openGateway({ operators: 1 });
    const policy = 'package p\n\nallow := true\n';
    const { body } = await t.rpc('newton_publishPolicy', { owner: OWNER.address, policy, entrypoint: 'p.allow' });
    const cid = body.result.policy_cid as string;
    const res = await t.app.inject({ method: 'GET', url: `/content/${cid}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.body).toBe(policy);
    for (const url of ['/content/bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '/content/..%2Fgateway-keys.json', '/content/x']) {
      const missing = await t.app.inject({ method: 'GET', url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.json().error.data.code, url).toBe('NEWTON_ERR_NOT_FOUND');
    }
    await t.close();
  });
});
