// Faults in sandbox workers, through real processes: SIGKILL, process.abort() and SIGSEGV
// mid-job, a stuck job past its timeout, a worker past its memory cap, a full queue, aborted
// jobs and a close with work in flight. Each costs one worker (replaced) and fails only its job.
// The fault injectors are job kinds this file registers through `jobModules`.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError, SandboxPool, type SandboxPoolOptions, type WorkerExit } from '../server/dist/sandbox/index.js';
import { makeTempDir, rpcTransferIntent } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';

const JOBS = `
import { registerJob } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'server/dist/sandbox/jobs.js')).href)};
registerJob('sleep', (ms) => new Promise((resolve) => setTimeout(() => resolve(process.pid), ms)));
registerJob('abort', () => process.abort());
registerJob('segfault', () => process.kill(process.pid, 'SIGSEGV'));
registerJob('spin', () => { for (;;); });
registerJob('heap', () => { const kept = []; for (;;) kept.push({ n: kept.length, s: 'x' + kept.length }); });
registerJob('grow', () => {
  const kept = [];
  const step = () => { for (let i = 0; i < 16; i++) kept.push(Buffer.alloc(1 << 20, 1)); setImmediate(step); };
  step();
  return new Promise(() => {});
});
`;

const jobsModule = path.join(makeTempDir('sandbox-jobs'), 'fault-jobs.mjs');
fs.writeFileSync(jobsModule, JOBS);

const SIMULATION = { policy: 'package policy\n\nimport rego.v1\n\nallow if input.value == "0"\n', intent: rpcTransferIntent() };

const exits: WorkerExit[] = [];
const pools: SandboxPool[] = [];

async function start(options: SandboxPoolOptions = {}): Promise<SandboxPool> {
  const pool = await SandboxPool.start({ workers: 2, jobModules: [jobsModule], onWorkerExit: (e) => exits.push(e), ...options });
  pools.push(pool);
  return pool;
}

async function sandboxError(promise: Promise<unknown>): Promise<SandboxError> {
  const err = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxError);
  return err as SandboxError;
}

const pids = (pool: SandboxPool) => pool.stats().workers.map((w) => w.pid);

/** Processes whose command line mentions `marker` (a worker's argv carries its job modules' paths). */
const processesMentioning = (marker: string) =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(marker));

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The pool is whole again (`size` idle workers, none exiting) and simulates correctly. */
async function expectRecovered(pool: SandboxPool, size = 2) {
  await until(() => {
    const { workers } = pool.stats();
    return workers.length === size && workers.every((w) => w.state === 'idle');
  });
  const outs = await Promise.all(Array.from({ length: size * 2 }, () => pool.simulatePolicy(SIMULATION)));
  for (const out of outs) expect(out.decision.allow).toBe(true);
}

let pool: SandboxPool;
/** One worker with small memory caps. */
let capped: SandboxPool;
/** One worker, two queue places. */
let single: SandboxPool;

beforeAll(async () => {
  [pool, capped, single] = await Promise.all([start(), start({ workers: 1, maxRssMb: 300, maxOldSpaceMb: 48 }), start({ workers: 1, maxQueue: 2 })]);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close({ graceMs: 0 })));
});

describe('a worker lost mid-job', () => {
  it('SIGKILL: that job fails clearly, the other worker\'s job is unaffected, the worker is replaced', async () => {
    const victim = pool.run('sleep', 10_000);
    await until(() => pool.stats().workers.some((w) => w.state === 'busy'));
    const victimPid = pool.stats().workers.find((w) => w.state === 'busy')!.pid!;
    const bystander = pool.run('sleep', 300);
    process.kill(victimPid, 'SIGKILL');
    const err = await sandboxError(victim);
    expect(err).toMatchObject({ code: 'NEWTON_ERR_SANDBOX_CRASHED', rpcCode: -32603, details: { signal: 'SIGKILL' } });
    expect(err.message).toContain('signal SIGKILL');
    expect(await bystander).not.toBe(victimPid);
    await expectRecovered(pool);
    expect(pids(pool)).not.toContain(victimPid);
  });

  it('process.abort(): the job fails with SIGABRT, the worker is replaced', async () => {
    const before = pool.stats().restarts;
    expect(await sandboxError(pool.run('abort', null))).toMatchObject({ code: 'NEWTON_ERR_SANDBOX_CRASHED', details: { signal: 'SIGABRT' } });
    await expectRecovered(pool);
    expect(pool.stats().restarts).toBe(before + 1);
    expect(exits.at(-1)).toMatchObject({ signal: 'SIGABRT' });
  });

  it('a segfault: the job fails with SIGSEGV, the worker is replaced', async () => {
    expect(await sandboxError(pool.run('segfault', null))).toMatchObject({ code: 'NEWTON_ERR_SANDBOX_CRASHED', details: { signal: 'SIGSEGV' } });
    await expectRecovered(pool);
  });

  it('several crashes at once while simulations run: every simulation is answered', async () => {
    const sims = Array.from({ length: 40 }, () => pool.simulatePolicy(SIMULATION));
    const crashes = [pool.run('abort', null), pool.run('segfault', null)].map(sandboxError);
    for (const err of await Promise.all(crashes)) expect(err.code).toBe('NEWTON_ERR_SANDBOX_CRASHED');
    for (const out of await Promise.all(sims)) expect(out.decision.allow).toBe(true);
    await expectRecovered(pool);
  });
});

describe('limits of the pool', () => {
  it('a job past its timeout: its worker is killed and replaced, the job fails with NEWTON_ERR_SANDBOX_TIMEOUT', async () => {
    const started = performance.now();
    const err = await sandboxError(pool.run('spin', null, { timeoutMs: 200 }));
    expect(err).toMatchObject({ code: 'NEWTON_ERR_SANDBOX_TIMEOUT', rpcCode: -32615, details: { timeoutMs: 200 } });
    expect(performance.now() - started).toBeLessThan(2000);
    await expectRecovered(pool);
    expect(exits.at(-1)).toMatchObject({ signal: 'SIGKILL' });
  });

  it.skipIf(process.platform !== 'linux')('a worker past its resident-memory cap is killed, the job fails with NEWTON_ERR_SANDBOX_MEMORY', async () => {
    const err = await sandboxError(capped.run('grow', null));
    expect(err).toMatchObject({ code: 'NEWTON_ERR_SANDBOX_MEMORY', details: { maxRssMb: 300 } });
    await expectRecovered(capped, 1);
  });

  it('a worker filling its V8 heap (maxOldSpaceMb) aborts; the job fails, the worker is replaced', async () => {
    expect(await sandboxError(capped.run('heap', null))).toMatchObject({ code: 'NEWTON_ERR_SANDBOX_CRASHED', details: { signal: 'SIGABRT' } });
    await expectRecovered(capped, 1);
  });

  it('a full queue rejects at once with NEWTON_ERR_SANDBOX_BUSY; queued jobs still run', async () => {
    const accepted = [single.run('sleep', 200), single.run('sleep', 1), single.run('sleep', 1)];
    const err = await sandboxError(single.run('sleep', 1));
    expect(err).toMatchObject({ code: 'NEWTON_ERR_SANDBOX_BUSY', rpcCode: -32005, details: { maxQueue: 2 } });
    expect(err.message).toContain('queue is full');
    await Promise.all(accepted);
    expect(await single.run('sleep', 1)).toBeTypeOf('number');
  });

  it('an abort drops a queued job, and kills the worker of a running one', async () => {
    const running = new AbortController();
    const queued = new AbortController();
    const first = single.run('sleep', 10_000, { signal: running.signal });
    const second = single.run('sleep', 10_000, { signal: queued.signal });
    queued.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(single.stats().queued).toBe(0);
    running.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    await expectRecovered(single, 1);
  });

  it('an unknown job kind is refused', async () => {
    await expect(pool.run('nope', null)).rejects.toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT' });
  });
});

describe('close with work in flight', () => {
  it('finishes what ends within the grace, fails the rest, fails queued jobs, leaves no process', async () => {
    const own = await SandboxPool.start({ workers: 2, jobModules: [jobsModule] });
    const workerPids = pids(own);
    const quick = own.run('sleep', 50);
    const stuck = sandboxError(own.run('spin', null));
    const queued = sandboxError(own.run('sleep', 1));
    await own.close({ graceMs: 300 });
    expect(await quick).toBeTypeOf('number');
    expect((await stuck).code).toBe('NEWTON_ERR_SANDBOX_CLOSED');
    expect((await queued).code).toBe('NEWTON_ERR_SANDBOX_CLOSED');
    for (const pid of workerPids) expect(() => process.kill(pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('a worker stuck in a job dies when the gateway process is SIGKILLed (its orphan guard)', async () => {
    const gateway = path.join(path.dirname(jobsModule), 'doomed-gateway.mjs');
    const index = pathToFileURL(path.join(repoRoot, 'server/dist/sandbox/index.js')).href;
    fs.writeFileSync(gateway, `import { SandboxPool } from ${JSON.stringify(index)};
const pool = await SandboxPool.start({ workers: 1, jobModules: [${JSON.stringify(jobsModule)}] });
pool.run('spin', null).catch(() => {});
setTimeout(() => { console.log(pool.stats().workers[0].pid); process.kill(process.pid, 'SIGKILL'); }, 100);
`);
    const child = spawn(process.execPath, [gateway], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    await once(child, 'close');
    const orphan = Number(stdout.trim());
    expect(orphan).toBeGreaterThan(0);
    // Dead means gone, or a zombie until init reaps it.
    const dead = () => execFileSync('ps', ['-o', 'stat=', '-p', String(orphan)], { encoding: 'utf8' }).trim().startsWith('Z');
    await until(() => {
      try {
        return dead();
      } catch {
        return true;
      }
    }, 3000);
  });

  it('every pool of this file closed leaves no worker behind', async () => {
    expect(processesMentioning('fault-jobs.mjs').length).toBeGreaterThan(0);
    await Promise.all(pools.splice(0).map((p) => p.close({ graceMs: 0 })));
    expect(processesMentioning('fault-jobs.mjs')).toEqual([]);
  });

  it('a pool whose workers cannot start rejects start() and leaves nothing running', async () => {
    const broken = path.join(path.dirname(jobsModule), 'broken.mjs');
    fs.writeFileSync(broken, 'process.exit(3);\n');
    await expect(SandboxPool.start({ workers: 2, jobModules: [broken] })).rejects.toMatchObject({ code: 'NEWTON_ERR_SANDBOX_CRASHED' });
    expect(processesMentioning('broken.mjs')).toEqual([]);
  });

  it('replacements that cannot start: queued jobs fail after three tries, the pool recovers once workers start again', async () => {
    const dir = path.dirname(jobsModule);
    const marker = path.join(dir, 'refuse-to-start');
    const gate = path.join(dir, 'gate.mjs');
    fs.writeFileSync(gate, `import fs from 'node:fs';\nif (fs.existsSync(${JSON.stringify(marker)})) process.exit(3);\n`);
    const one = await start({ workers: 1, jobModules: [jobsModule, gate] });
    fs.writeFileSync(marker, '');
    const victim = one.run('sleep', 10_000);
    process.kill(one.stats().workers[0]!.pid!, 'SIGKILL');
    expect((await sandboxError(victim)).code).toBe('NEWTON_ERR_SANDBOX_CRASHED');
    const waiting = await sandboxError(one.run('sleep', 1));
    expect(waiting).toMatchObject({ code: 'NEWTON_ERR_SANDBOX_CRASHED', message: 'sandbox workers fail to start' });
    fs.rmSync(marker);
    await expectRecovered(one, 1);
  });
});
