// The network page in a real browser: Debian's chromium (scripts/test-services.mjs installs it)
// driven by playwright-core against a devnet (a gateway and 4 operator processes on loopback).
// The page loads with no console errors; a submitted task appears with every operator's vote, a
// filled quorum bar and its attestation; its detail shows the parsed intent and the decision log's
// inclusion proof as the page verified it (entry → leaf → root of the gateway-signed tree head); a
// killed operator turns red within seconds. Screenshots
// go to test/artifacts/. The page's key handling (401 without a key, ?api_key= → a read-only
// session cookie, refused across origins) is checked on a gateway that is not open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, startDevnet, type Devnet } from '../server/dist/index.js';
import { OWNER, openGateway, type TestGateway } from './fixtures/gateway/harness.js';
import { CLIENT, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';
import { repoRoot } from './helpers/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const artifacts = path.join(repoRoot, 'test/artifacts');

let devnet: Devnet;
let context: BrowserContext;
let page: Page;
let profile: string;
const consoleErrors: string[] = [];
/** The devnet's RPC in the gateway fixtures' shape (a key owned by the fixtures' OWNER). */
let rpc: TestGateway;

async function shot(name: string) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, operators: 4, logLevel: 'warn' });
  const { key } = await createApiKey(devnet.gateway.store, { permissions: ['read', 'write'], owner: OWNER.address });
  let next = 1;
  rpc = {
    async rpc(method: string, params?: unknown) {
      const res = await fetch(`${devnet.url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: next++, method, params }),
      });
      return { status: res.status, body: await res.json() };
    },
  } as TestGateway;
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'newton-ui-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await devnet?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

describe('the network page on a devnet', () => {
  it('loads with every operator live and the task feed connected', async () => {
    const response = await page.goto(devnet.pageUrl);
    expect(response?.status()).toBe(200);
    await page.locator('tr[data-live="true"]').nth(3).waitFor({ timeout: 10_000 });
    expect(await page.locator('tr[data-operator]').count()).toBe(4);
    await page.getByText('live', { exact: true }).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('shows a submitted task with 4 votes, a filled quorum bar and the attestation', async () => {
    const { policy } = await publishSpendPolicy(rpc);
    await registerClient(rpc, policy);
    const { body } = await rpc.rpc('newt_createTask', { policy_client: CLIENT, intent: transferIntent(250n) });
    expect(body.result.status).toBe('success');
    const taskId: string = body.result.task_id;

    const row = page.locator(`tr[data-task="${taskId}"][data-event="aggregated"]`);
    await row.waitFor({ timeout: 10_000 });
    // Every operator voted: all 4 answered the prepare round, and the commits the gateway awaited
    // (it stops at quorum, so 3 or 4) are the certificate's signatures, all ALLOW.
    const signers: string[] = body.result.certificate.signers;
    expect(signers.length).toBeGreaterThanOrEqual(3);
    const votes = await row.locator('[data-vote]').evaluateAll((chips) => chips.map((c) => c.getAttribute('data-vote')));
    expect(votes).toHaveLength(4);
    expect(votes.filter((v) => v === 'allow')).toHaveLength(signers.length);
    expect(votes.every((v) => v === 'allow' || v === 'prepared')).toBe(true);
    expect(await row.locator('.quorum').getAttribute('data-quorum-filled')).toBe('true');
    expect(await row.innerText()).toContain(`ALLOW · attested by ${signers.length}`);
    await page.locator(`li[data-client="${CLIENT.toLowerCase()}"]`).waitFor();

    // Two more, a deny and an allow: the first task's proof is then a real audit path.
    const denied = (await rpc.rpc('newt_createTask', { policy_client: CLIENT, intent: transferIntent(5000n) })).body.result;
    const deniedRow = page.locator(`tr[data-task="${denied.task_id}"][data-event="aggregated"]`);
    await deniedRow.waitFor({ timeout: 10_000 });
    expect(await deniedRow.innerText()).toContain('DENY · attested by');
    const last = (await rpc.rpc('newt_createTask', { policy_client: CLIENT, intent: transferIntent(100n) })).body.result;
    await page.locator(`tr[data-task="${last.task_id}"][data-event="aggregated"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('tr[data-task]').count()).toBe(3);
    await shot('ui-task');

    await row.click();
    const detail = page.locator(`section[data-detail="${taskId}"]`);
    await detail.locator('.decision').waitFor();
    expect(await detail.locator('.decision').innerText()).toMatch(/^ALLOW — the policy allowed it/);
    expect(await detail.locator('pre').first().innerText()).toContain('"name": "transfer"');
    const proof = detail.locator('[data-proof]');
    await proof.waitFor();
    expect(await proof.getAttribute('data-proof')).toBe('verified');
    expect(await proof.innerText()).toContain(`signed by ${devnet.gateway.account.address.slice(0, 10)}`);
    expect(await proof.innerText()).toMatch(/leaf\s+0 of 3 .*\n.*audit path\s+2 hashes/);
    await shot('ui-detail');

    // The denied task's detail gives the operators' reason.
    await deniedRow.click();
    const deniedDetail = page.locator(`section[data-detail="${denied.task_id}"] .decision`);
    await deniedDetail.waitFor();
    expect(await deniedDetail.innerText()).toMatch(/^DENY — the operators report: data\.spend\.allow is false, not true \(a deny is attested too\)/);
    expect(consoleErrors).toEqual([]);
  });

  it('turns a killed operator red within seconds', async () => {
    const victim = devnet.operators.running.at(-1)!;
    const row = page.locator(`tr[data-operator="${victim.operatorId}"]`);
    expect(await row.getAttribute('data-live')).toBe('true');
    const killed = Date.now();
    await devnet.operators.kill(victim.index);
    // Down after 3 missed renewals (1 s each on the devnet) and the page's next poll of /operators.
    await page.locator(`tr[data-operator="${victim.operatorId}"][data-live="false"]`).waitFor({ timeout: 10_000 });
    const seconds = (Date.now() - killed) / 1000;
    console.log(`operator ${victim.index} shown down ${seconds.toFixed(1)} s after SIGKILL`);
    await expect.poll(() => page.locator('tr[data-live="true"]').count(), { timeout: 5_000 }).toBe(3);
    await shot('ui-operator-down');
    expect(consoleErrors).toEqual([]);
  });
});

describe('the page behind an API key (a gateway that is not open)', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await openGateway();
  });
  afterAll(() => t.close());

  it('asks for a key, keeps a valid one as a read-only session cookie, and refuses it across origins', async () => {
    expect((await t.app.inject({ url: '/' })).headers.location).toBe('/ui/');
    const anonymous = await t.app.inject({ url: '/ui/' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toContain('name="api_key"');
    expect((await t.app.inject({ url: '/ui?api_key=nwt_wrong' })).statusCode).toBe(401);

    const login = await t.app.inject({ url: `/ui?api_key=${t.writeKey}` });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/ui/');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^newton_ui=[^;]+;.*HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;

    const index = await t.app.inject({ url: '/ui/', headers: { cookie: session } });
    expect(index.statusCode).toBe(200);
    expect(index.body).toMatch(/<script type="module"[^>]+src="\/ui\/assets\/index-[\w-]+\.js"/);
    const call = (method: string, params: unknown, headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/rpc', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    // Reads work on the session; writes do not, even with a read-write key behind it.
    expect((await call('newton_blockNumber', {}, { cookie: session })).json().result.block_number).toBeTypeOf('number');
    expect((await call('newton_advanceBlocks', { blocks: 1 }, { cookie: session })).json().error.data.code).toBe('NEWTON_ERR_FORBIDDEN');
    // Another origin's request carries the cookie in vain.
    const crossSite = await call('newton_blockNumber', {}, { cookie: session, origin: 'https://elsewhere.example' });
    expect(crossSite.statusCode).toBe(401);
    expect((await t.app.inject({ url: '/ui/api/tasks/0x1234/intent', headers: { cookie: session } })).statusCode).toBe(400);
    expect((await t.app.inject({ url: `/ui/api/tasks/0x${'ab'.repeat(32)}/intent`, headers: { cookie: session } })).statusCode).toBe(404);
  });
});
