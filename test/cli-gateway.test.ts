// The gateway commands of `newton`, run in-process against a real gateway listening on loopback
// (four in-process operators): gateway keys create → policy-data publish → policy publish →
// policy-client register → task submit (allow, deny) → attestation spend (once; the replay refused)
// → policy-client set-policy (the old attestation refused) → set-policy-params; the gateway's
// errors and their exit codes; and `newton gateway start` as a process, stopped by SIGTERM.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewtonClient } from '../bindings/dist/index.js';
import { loadGatewayServer } from '../bindings/dist/cli/gateway.js';
import { PostgresStore, hashApiKey } from '../server/dist/index.js';
import { startPostgresServer } from '../server/dist/store/postgres-server.js';
import { CLIENT, SPEND_POLICY, transferIntent } from './fixtures/gateway/registry.js';
import { OTHER, OWNER, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';
import { cliScript, newton, type CliResult } from './helpers/cli.js';
import { writeFiles } from './helpers/newton.js';
import { startUntilLine } from './helpers/processes.js';
import * as wat from './helpers/policy-data-wat.js';

// The private keys of harness.ts's OWNER and OTHER (Anvil's first two accounts).
const OWNER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const OTHER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const owner = OWNER.address.toLowerCase();

let t: TestGateway;
let url: string;
let f: Record<string, string>;
/** The keys `gateway keys create` makes (read+write, and read-only). */
let writeKey: string;
let readKey: string;

beforeAll(async () => {
  t = await openGateway({ operators: 4 });
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const dir = tempDir('cli');
  f = writeFiles(dir, {
    'spend.rego': SPEND_POLICY,
    'open.rego': 'package open\nimport rego.v1\ndefault allow := true\n',
    'broken.rego': 'package broken\nallow if {\n',
    'params-schema.json': JSON.stringify({ type: 'object', required: ['max_amount'] }),
    'allow.json': JSON.stringify(transferIntent(5n)),
    'deny.json': JSON.stringify(transferIntent(5000n)),
    'eight.json': JSON.stringify(transferIntent(8n)),
    'owner.key': `${OWNER_KEY}\n`,
    'other.key': `${OTHER_KEY}\n`,
  });
  f['oracle.wasm'] = path.join(dir, 'oracle.wasm');
  fs.writeFileSync(f['oracle.wasm'], await wat.returning(JSON.stringify({ price: 42 })));
});

afterAll(async () => {
  await t?.close();
});

/** `newton ...args` against the test gateway with `key`; the owner key comes only from the flags unless `env` sets it. */
function gw(args: string[], key = writeKey, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return newton([...args, '--gateway', url, '--api-key', key], { env: { NEWTON_OWNER_KEY: undefined, NEWTON_GATEWAY_URL: undefined, NEWTON_API_KEY: undefined, ...env } });
}

/** The JSON document on stdout of a successful run. */
function ok(r: CliResult): any {
  expect([r.status, r.stderr], r.stderr).toEqual([0, '']);
  return JSON.parse(r.stdout);
}

/** The `{code, message, details}` a `--format json` run that failed wrote to stderr, after checking its exit status. */
function failure(r: CliResult, status: number): { code: string; message: string; details: any } {
  expect(r.status, r.stderr).toBe(status);
  expect(r.stdout).toBe('');
  return JSON.parse(r.stderr);
}

describe('newton gateway keys create', () => {
  it('makes keys that authenticate against the running gateway, printed once', async () => {
    const write = await newton(['gateway', 'keys', 'create', '--data-dir', t.dir, '--permission', 'write', '--owner', OWNER.address, '--format', 'json']);
    expect(write.status).toBe(0);
    expect(write.stderr).toContain('the only time the key is shown');
    const created = JSON.parse(write.stdout);
    expect(created).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{16}$/), permissions: ['read', 'write'], owner });
    expect(created.key).toMatch(new RegExp(`^nwt_${created.id}_`));
    writeKey = created.key;

    const read = await newton(['gateway', 'keys', 'create', '--data-dir', t.dir, '--permission', 'read']);
    expect(read.status).toBe(0);
    const line = /^key +(nwt_\S+)$/m.exec(read.stdout);
    expect(read.stdout).toMatch(/^permissions +\["read"\]$/m);
    readKey = line![1]!;

    // Both authenticate (newton_getNonce is a read); only the write key may write.
    const client = (apiKey: string) => new NewtonClient({ url: `${url}/rpc`, apiKey });
    expect(await client(writeKey).getNonce(OWNER.address)).toMatchObject({ gateway_nonce: 0 });
    expect(await client(readKey).getNonce(OWNER.address)).toMatchObject({ gateway_nonce: 0 });
    const forbidden = failure(await gw(['policy-data', 'publish', '--wasm', f['oracle.wasm']!, '--owner', owner, '--expire-after', '100', '--format', 'json'], readKey), 1);
    expect(forbidden).toMatchObject({ code: 'NEWTON_ERR_FORBIDDEN', message: 'RpcWrite permission required' });
  });

  it('refuses a missing --permission or data directory as usage errors', async () => {
    expect((await newton(['gateway', 'keys', 'create', '--data-dir', t.dir], { env: { NEWTON_DATA_DIR: undefined } })).stderr).toMatch(/required option '--permission <PERMISSION>' not specified/);
    const r = await newton(['gateway', 'keys', 'create', '--permission', 'read'], { env: { NEWTON_DATA_DIR: undefined, NEWTON_DATABASE_URL: undefined } });
    expect([r.status, r.stderr]).toEqual([2, "newton: NEWTON_ERR_INVALID_ARGUMENT: give the gateway's --data-dir or its --database\n"]);
  });

  it('creates a key in a PostgreSQL gateway store with --database', async () => {
    const pg = await startPostgresServer();
    try {
      const url = await pg.createDatabase('cli_keys');
      const r = await newton(['gateway', 'keys', 'create', '--database', url, '--permission', 'read', '--format', 'json'], { env: { NEWTON_DATA_DIR: undefined } });
      expect(r.status).toBe(0);
      const { key, id } = JSON.parse(r.stdout);
      const store = await PostgresStore.open(url);
      expect(await store.apiKeyByHash(hashApiKey(key))).toMatchObject({ id, permissions: ['read'] });
      await store.close();
    } finally {
      await pg.stop();
    }
  });
});

describe('the client commands against a running gateway', () => {
  let oracle: string;
  let spendPolicy: string;
  let policyId: string;
  let allowedTask: string;
  let allowedHash: string;

  it('an unknown API key is NEWTON_ERR_UNAUTHORIZED (exit 1); a missing one a usage error; an unreachable gateway NEWTON_ERR_UNAVAILABLE', async () => {
    const wrong = failure(await gw(['task', 'submit', '--client', CLIENT, '--intent', f['allow.json']!, '--format', 'json'], 'nwt_0000000000000000_bogus'), 1);
    expect(wrong).toEqual({ code: 'NEWTON_ERR_UNAUTHORIZED', message: 'Invalid API key', details: null });
    const pretty = await gw(['policy-data', 'publish', '--wasm', f['oracle.wasm']!, '--owner', owner, '--expire-after', '100'], 'nwt_bogus');
    expect([pretty.status, pretty.stderr]).toEqual([1, 'newton: NEWTON_ERR_UNAUTHORIZED: Invalid API key\n']);

    const missing = await newton(['task', 'submit', '--client', CLIENT, '--intent', f['allow.json']!, '--gateway', url], { env: { NEWTON_API_KEY: undefined } });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^newton: NEWTON_ERR_INVALID_ARGUMENT: no API key: pass --api-key KEY or set NEWTON_API_KEY/);
    // The environment supplies both.
    const fromEnv = await newton(['policy-data', 'publish', '--wasm', f['oracle.wasm']!, '--owner', owner, '--expire-after', '100', '--format', 'json'], {
      env: { NEWTON_GATEWAY_URL: `${url}/`, NEWTON_API_KEY: writeKey },
    });
    expect(ok(fromEnv)).toMatchObject({ created: true });

    const closed = `http://127.0.0.1:${await closedPort()}`;
    const down = failure(await newton(['task', 'submit', '--client', CLIENT, '--intent', f['allow.json']!, '--gateway', closed, '--api-key', writeKey, '--format', 'json']), 1);
    expect(down).toMatchObject({ code: 'NEWTON_ERR_UNAVAILABLE', message: `cannot reach the gateway at ${closed}/rpc: ECONNREFUSED` });
  });

  it('policy-data publish and policy publish print the addresses; the same inputs publish to the same address', async () => {
    const published = ok(await gw(['policy-data', 'publish', '--wasm', f['oracle.wasm']!, '--owner', OWNER.address, '--expire-after', '100', '--format', 'json']));
    expect(published).toMatchObject({ policy_data_address: expect.stringMatching(/^0x[0-9a-f]{40}$/), wasm_cid: expect.stringMatching(/^bafkrei/), expire_after: 100, created: false });
    oracle = published.policy_data_address;

    const pretty = await gw(['policy', 'publish', '--policy', f['spend.rego']!, '--entrypoint', 'spend.allow', '--owner', owner, '--params-schema', f['params-schema.json']!, '--policy-data', oracle]);
    expect([pretty.status, pretty.stderr]).toEqual([0, '']);
    expect(pretty.stdout).toMatch(/^created +true$/m);
    spendPolicy = /^policy_address +(0x[0-9a-f]{40})$/m.exec(pretty.stdout)![1]!;
    const stored = (await t.rpc('newton_getPolicy', { policy: spendPolicy })).body.result;
    expect(stored).toMatchObject({ owner, entrypoint: 'spend.allow', policy: SPEND_POLICY, policy_data: [oracle], params_schema: { required: ['max_amount'] } });
    const again = ok(await gw(['policy', 'publish', '--policy', f['spend.rego']!, '--entrypoint', 'spend.allow', '--owner', owner, '--params-schema', f['params-schema.json']!, '--policy-data', oracle, '--format', 'json']));
    expect(again).toMatchObject({ policy_address: spendPolicy, created: false });

    const broken = failure(await gw(['policy', 'publish', '--policy', f['broken.rego']!, '--entrypoint', 'broken.allow', '--owner', owner, '--format', 'json']), 1);
    expect(broken.code).toBe('NEWTON_ERR_POLICY_PARSE');
  });

  it('policy-client register is signed with --owner-key and mints a policy id', async () => {
    const args = ['policy-client', 'register', '--client', CLIENT, '--policy', spendPolicy, '--params', '{"max_amount":1000}', '--expire-after', '20'];
    const noKey = await gw(args);
    expect([noKey.status, noKey.stderr]).toEqual([2, 'newton: NEWTON_ERR_INVALID_ARGUMENT: no owner key: pass --owner-key FILE or set NEWTON_OWNER_KEY (a 0x secp256k1 private key)\n']);
    const registered = ok(await gw([...args, '--owner-key', f['owner.key']!, '--format', 'json']));
    expect(registered).toMatchObject({ policy_client: CLIENT, owner, policy_address: spendPolicy, policy_id: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    policyId = registered.policy_id;
    expect(JSON.stringify(registered)).not.toContain(OWNER_KEY.slice(2));
    // The owner's nonce was used: the signature cannot be replayed.
    expect((await t.rpc('newton_getNonce', { signer: OWNER.address })).body.result.gateway_nonce).toBe(1);
    const twice = failure(await gw([...args, '--owner-key', f['owner.key']!, '--format', 'json']), 1);
    expect(twice.code).toBe('NEWTON_ERR_CONFLICT');
  });

  it('task submit prints the decision and the attestation: allow exits 0, deny exits 3', async () => {
    const allowed = ok(await gw(['task', 'submit', '--client', CLIENT, '--intent', f['allow.json']!, '--wasm-args', '{"symbol":"ETH"}', '--format', 'json']));
    expect(allowed).toMatchObject({ status: 'success', error: null, task_response: { policy_id: policyId, policy_client: CLIENT } });
    expect(allowed.task_response.evaluation_result).toEqual([...Array(31).fill(0), 1]);
    expect(allowed.task.wasmArgs).toBe(`0x${Buffer.from('{"symbol":"ETH"}').toString('hex')}`);

    const pretty = await gw(['task', 'submit', '--client', CLIENT, '--intent', f['allow.json']!]);
    expect([pretty.status, pretty.stderr]).toEqual([0, '']);
    const lines = pretty.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ALLOW  task 0x[0-9a-f]{64}$/);
    expect(pretty.stdout).toContain(`  policy_id         ${policyId}\n`);
    allowedTask = lines[0]!.slice('ALLOW  task '.length);
    allowedHash = /^ {2}attestation_hash +(0x[0-9a-f]{64})$/m.exec(pretty.stdout)![1]!;
    expect(pretty.stdout).toMatch(/^ {2}expiration +block \d+$/m);

    const denied = await gw(['task', 'submit', '--client', CLIENT, '--intent', f['deny.json']!, '--format', 'json']);
    expect(denied.status).toBe(3);
    expect(JSON.parse(denied.stdout).task_response.evaluation_result).toEqual(Array(32).fill(0));
    const deniedPretty = await gw(['task', 'submit', '--client', CLIENT, '--intent', f['deny.json']!]);
    expect(deniedPretty.status).toBe(3);
    expect(deniedPretty.stdout).toMatch(/^DENY   task 0x[0-9a-f]{64}\n/);

    const unknown = failure(await gw(['task', 'submit', '--client', `0x${'ab'.repeat(20)}`, '--intent', f['allow.json']!, '--format', 'json']), 1);
    expect(unknown.code).toBe('NEWTON_ERR_NOT_FOUND');
  });

  it('attestation spend spends once; the replay, a deny and a foreign caller are refused with exit 3', async () => {
    const spent = ok(await gw(['attestation', 'spend', '--task', allowedTask, '--caller-key', f['owner.key']!, '--format', 'json']));
    expect(spent).toMatchObject({ valid: true, task_id: allowedTask, status: 'AttestationSpent', attestation_hash: allowedHash });
    expect((await t.rpc('newton_taskStatus', { task_id: allowedTask })).body.result.status).toBe('AttestationSpent');

    const replay = failure(await gw(['attestation', 'spend', '--task', allowedTask, '--caller-key', f['owner.key']!, '--format', 'json']), 3);
    expect(replay.code).toBe('NEWTON_ERR_ATTESTATION_ALREADY_SPENT');
    expect(replay.details.checks.find((c: { check: string }) => c.check === 'single_use')).toMatchObject({ status: 'failed' });
    const replayPretty = await gw(['attestation', 'spend', '--task', allowedTask, '--caller-key', f['owner.key']!]);
    expect(replayPretty.status).toBe(3);
    expect(replayPretty.stderr).toMatch(/^newton: NEWTON_ERR_ATTESTATION_ALREADY_SPENT: /);

    const fresh = ok(await gw(['task', 'submit', '--client', CLIENT, '--intent', f['allow.json']!, '--format', 'json']));
    const foreign = failure(await gw(['attestation', 'spend', '--task', fresh.task_id, '--caller-key', f['other.key']!, '--format', 'json']), 3);
    expect(foreign.code).toBe('NEWTON_ERR_INTENT_SENDER_MISMATCH');
    const deny = JSON.parse((await gw(['task', 'submit', '--client', CLIENT, '--intent', f['deny.json']!, '--format', 'json'])).stdout);
    expect(failure(await gw(['attestation', 'spend', '--task', deny.task_id, '--caller-key', f['owner.key']!, '--format', 'json']), 3).code).toBe('NEWTON_ERR_POLICY_DENIED');
    // An unknown task is an error, not a verdict.
    expect(failure(await gw(['attestation', 'spend', '--task', `0x${'00'.repeat(32)}`, '--caller-key', f['owner.key']!, '--format', 'json']), 1).code).toBe('NEWTON_ERR_NOT_FOUND');
    const pretty = await gw(['attestation', 'spend', '--task', fresh.task_id, '--caller-key', f['owner.key']!]);
    expect([pretty.status, pretty.stderr]).toEqual([0, '']);
    expect(pretty.stdout).toMatch(new RegExp(`^SPENT  task ${fresh.task_id}\n  attestation_hash  0x[0-9a-f]{64}\n  policy_id         ${policyId}\n$`));
  });

  it('policy-client set-policy mints a new policy id and the older attestation is refused (NEWTON_ERR_POLICY_ID_MISMATCH)', async () => {
    const before = ok(await gw(['task', 'submit', '--client', CLIENT, '--intent', f['allow.json']!, '--format', 'json']));
    const open = ok(await gw(['policy', 'publish', '--policy', f['open.rego']!, '--entrypoint', 'open.allow', '--owner', owner, '--format', 'json']));

    const foreign = failure(await gw(['policy-client', 'set-policy', '--client', CLIENT, '--policy', open.policy_address, '--owner-key', f['other.key']!, '--format', 'json']), 1);
    expect(foreign.code).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    expect(foreign.message).toContain(`signed by ${OTHER.address}`);

    // The owner key from the environment; expireAfter stays the client's (20).
    const set = ok(await gw(['policy-client', 'set-policy', '--client', CLIENT, '--policy', open.policy_address, '--format', 'json'], writeKey, { NEWTON_OWNER_KEY: OWNER_KEY }));
    expect(set).toMatchObject({ policy_client: CLIENT, policy_address: open.policy_address });
    expect(set.policy_id).not.toBe(policyId);
    const mismatch = failure(await gw(['attestation', 'spend', '--task', before.task_id, '--caller-key', f['owner.key']!, '--format', 'json']), 3);
    expect(mismatch.code).toBe('NEWTON_ERR_POLICY_ID_MISMATCH');
    // The open policy allows what the spend policy denied.
    expect((await gw(['task', 'submit', '--client', CLIENT, '--intent', f['deny.json']!])).status).toBe(0);

    // Back to the spend policy with a limit of 6, then set-policy-params raises it to 10.
    const back = ok(await gw(['policy-client', 'set-policy', '--client', CLIENT, '--policy', spendPolicy, '--params', '{"max_amount":6}', '--owner-key', f['owner.key']!, '--format', 'json']));
    expect((await gw(['task', 'submit', '--client', CLIENT, '--intent', f['eight.json']!])).status).toBe(3);
    const raised = ok(await gw(['policy-client', 'set-policy-params', '--client', CLIENT, '--params', '{"max_amount":10}', '--owner-key', f['owner.key']!, '--format', 'json']));
    expect(raised.policy_id).not.toBe(back.policy_id);
    expect((await gw(['task', 'submit', '--client', CLIENT, '--intent', f['eight.json']!])).status).toBe(0);
    const history = (await t.rpc('newton_getPolicyClient', { policy_client: CLIENT })).body.result.history;
    expect(history.map((h: { policy_id: string }) => h.policy_id)).toEqual([policyId, set.policy_id, back.policy_id, raised.policy_id]);
    expect(history.map((h: { policy_config: { expireAfter: number } }) => h.policy_config.expireAfter)).toEqual([20, 20, 20, 20]);
  });
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('newton gateway start', () => {
  it('fails with a usage error naming the package when newton-server is not installed', async () => {
    const err = await loadGatewayServer('newton-server-not-installed').then(() => null, (e: unknown) => e as Error & { code: string });
    expect(err).toMatchObject({
      name: 'UsageError',
      code: 'NEWTON_ERR_INVALID_ARGUMENT',
      message: 'newton gateway needs the newton-server-not-installed package (the gateway itself), which is not installed: run `npm install newton-server-not-installed` next to newton-engine',
    });
  });

  it('exits 1 with NEWTON_ERR_IO when the port is taken, and lists its options in --help', async () => {
    const port = new URL(url).port;
    const taken = await newton(['gateway', 'start', '--data-dir', tempDir('cli-taken'), '--port', port, '--operators', '0', '--log-level', 'silent', '--format', 'json']);
    expect(failure(taken, 1)).toEqual({ code: 'NEWTON_ERR_IO', message: `cannot listen on 127.0.0.1:${port}: EADDRINUSE`, details: null });
    const help = await newton(['gateway', 'start', '--help']);
    for (const option of ['--data-dir', '--port', '--host', '--operators', '--admit-operators', '--chain-id', '--block-time-ms', '--format']) expect(help.stdout).toContain(`  ${option} <`);
    expect((await newton(['gateway', 'keys', 'create', '--help'])).stdout).toMatch(/--format <format> [^-]*\(choices:\s+"pretty",\s+"json"/);
    const keys = await newton(['gateway', 'keys']);
    expect([keys.status, keys.stderr.split('\n').at(-2)]).toEqual([2, 'newton: NEWTON_ERR_INVALID_ARGUMENT: newton gateway keys needs a command: create']);
  });

  it('serves until SIGTERM as a process, printing its URL, and exits 0', async () => {
    const dataDir = tempDir('cli-start');
    const gateway = await startUntilLine(cliScript, ['gateway', 'start', '--data-dir', dataDir, '--port', '0', '--operators', '1', '--chain-id', '84532', '--log-level', 'warn', '--format', 'json']);
    const { child, line, exited } = gateway;
    try {
      const started = JSON.parse(line);
      expect(started).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/), data_dir: dataDir });
      const key = JSON.parse((await newton(['gateway', 'keys', 'create', '--data-dir', dataDir, '--permission', 'read', '--format', 'json'])).stdout).key;
      expect(await new NewtonClient({ url: `${started.url}/rpc`, apiKey: key }).blockNumber()).toMatchObject({ chain_id: 84532 });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(gateway.stdout()).toBe(`${line}\n`);
      expect(gateway.stderr()).toContain('newton: SIGTERM: closing the gateway\n');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
