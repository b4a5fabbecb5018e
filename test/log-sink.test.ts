// The decision-log sink against a real HTTP endpoint: a batch the endpoint refuses is retried
// until it is taken (once), a sink that stays down drops its oldest entries past the queue bound
// and, after its tries, the batch — each with a NewtonLogSinkWarning.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { SignedTreeHead } from '../bindings/dist/index.js';
import { LogSink } from '../server/dist/log/sink.js';

const head: SignedTreeHead = { tree_size: 9, root_hash: `0x${'11'.repeat(32)}`, timestamp: 1, signature: `0x${'22'.repeat(65)}`, signer: `0x${'33'.repeat(20)}` };
const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ index: from + i, taskId: `0x${(from + i).toString(16).padStart(64, '0')}` as const, entry: `{"n":${from + i}}`, leafHash: `0x${'44'.repeat(32)}` as const }));

const warnings: string[] = [];
const onWarning = (w: Error) => void (w.name === 'NewtonLogSinkWarning' && warnings.push(w.message));
process.on('warning', onWarning);
afterAll(() => void process.off('warning', onWarning));

describe('LogSink', () => {
  it('retries a refused batch until the endpoint takes it', async () => {
    const bodies: any[] = [];
    let refusals = 2;
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c)).on('end', () => {
        if (refusals-- > 0) return void res.writeHead(503).end();
        bodies.push(JSON.parse(text));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const sink = new LogSink({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, batchSize: 3, flushMs: 10 }, async () => head);
      sink.push(rows(0, 3));
      await expect.poll(() => bodies.length, { timeout: 5_000 }).toBe(1);
      expect(bodies[0]).toEqual({ signed_tree_head: head, entries: rows(0, 3).map((r) => ({ index: r.index, task_id: r.taskId, entry: r.entry, leaf_hash: r.leafHash })) });
      await sink.close();
      expect(bodies).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it('bounds its queue while the endpoint is down, then drops the batch after its tries', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    const sink = new LogSink({ url, batchSize: 100, flushMs: 60_000, maxQueue: 5, maxAttempts: 2 }, async () => head);
    sink.push(rows(0, 8));
    await expect.poll(() => warnings.some((w) => w.includes('queue full, dropped the 3 oldest entries'))).toBe(true);
    await sink.close();
    await expect.poll(() => warnings.some((w) => w.includes('dropped 5 entries (3…7)'))).toBe(true);
  });
});
