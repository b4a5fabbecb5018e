// `newton log head` and `newton log verify` against a real gateway (SQLite): a saved head and an
// entry verify; a saved head edited by hand, a log truncated (rolled back) and a log whose entry
// was rewritten (with its leaf hash recomputed) since the head was saved all exit 3 with the
// reason; a row edited without its leaf hash keeps the gateway from opening.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLeafHash, type Hex } from '../bindings/dist/index.js';
import { newton } from './helpers/cli.js';
import { ok, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';
import { CLIENT, publishSpendPolicy, registerClient, transferIntent } from './fixtures/gateway/registry.js';

describe('newton log', () => {
  let t: TestGateway;
  let url: string;
  const tasks: Hex[] = [];
  const dir = tempDir('log-cli');
  const saved = path.join(dir, 'head.json');

  const start = async () => {
    t = await openGateway({ operators: 4 }, t?.dir, t);
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  };
  const log = (...args: string[]) => newton(['log', ...args, '--gateway', url], { env: { NEWTON_API_KEY: t.readKey } });
  const db = (work: (db: Database.Database) => void) => {
    const handle = new Database(path.join(t.dir, 'gateway.db'));
    try {
      work(handle);
    } finally {
      handle.close();
    }
  };

  beforeAll(async () => {
    await start();
    const { policy } = await publishSpendPolicy(t);
    await registerClient(t, policy);
    for (const amount of [1n, 5000n, 2n]) tasks.push((await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(amount) })).task_id);
  });
  afterAll(() => t.close());

  it('saves a signed head, then verifies entries by task id and index against it', async () => {
    const head = await log('head', '--out', saved, '--signer', t.gateway.account.address);
    expect(head.status, head.stderr).toBe(0);
    expect(head.stdout).toContain('tree head: 3 entries');
    expect(JSON.parse(fs.readFileSync(saved, 'utf8'))).toMatchObject({ tree_size: 3, signer: t.gateway.account.address });
    await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(3n) });
    const byTask = await log('verify', '--entry', tasks[1]!, '--tree-head', saved, '--format', 'json');
    expect(byTask.status, byTask.stderr).toBe(0);
    expect(JSON.parse(byTask.stdout)).toMatchObject({ verified: true, index: 1, task_id: tasks[1], decision: 'denied', tree_size: 4, consistent_with: 3 });
    const byIndex = await log('verify', '--entry', '0');
    expect(byIndex.status, byIndex.stderr).toBe(0);
    expect(byIndex.stdout).toMatch(/^VERIFIED {2}entry 0: task 0x[0-9a-f]{64} allowed/);
    const missing = await log('verify', '--entry', '99');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('NEWTON_ERR_NOT_FOUND');
  });

  it('a saved head edited by hand is refused', async () => {
    const edited = path.join(dir, 'edited.json');
    fs.writeFileSync(edited, JSON.stringify({ ...JSON.parse(fs.readFileSync(saved, 'utf8')), tree_size: 2 }));
    const r = await log('verify', '--entry', '0', '--tree-head', edited);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/NEWTON_ERR_LOG_VERIFICATION: the saved tree head .* was altered/);
  });

  it('a log rewritten since the saved head is detected, its leaf hashes recomputed or not', async () => {
    await t.close();
    db((d) => {
      const row = d.prepare('SELECT entry FROM decision_log WHERE idx = 1').get() as { entry: string };
      const entry = row.entry.replace('"decision":"denied"', '"decision":"allowed"');
      d.prepare('UPDATE decision_log SET entry = ?, leaf_hash = ? WHERE idx = 1').run(entry, logLeafHash(entry));
    });
    await start();
    const r = await log('verify', '--entry', tasks[1]!, '--tree-head', saved);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/NEWTON_ERR_LOG_VERIFICATION: the log since the saved head \(3 entries\): .*does not extend/);
    await t.close();
    db((d) => d.prepare("UPDATE decision_log SET entry = replace(entry, '\"allowed\"', '\"denied\"') WHERE idx = 1").run());
    await expect(openGateway({ operators: 4 }, t.dir, t)).rejects.toThrow(/decision log row 1 does not hash to its leaf_hash/);
    db((d) => {
      const { entry } = d.prepare('SELECT entry FROM decision_log WHERE idx = 1').get() as { entry: string };
      d.prepare('UPDATE decision_log SET leaf_hash = ? WHERE idx = 1').run(logLeafHash(entry));
    });
    await start();
  });

  it('a log truncated below the saved head is a rollback', async () => {
    await t.close();
    db((d) => d.prepare('DELETE FROM decision_log WHERE idx >= 2').run());
    await start();
    const r = await log('verify', '--entry', '0', '--tree-head', saved);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('the log was rolled back: the saved head has 3 entries, the gateway\'s 2');
  });
});
