// The processes bench/scale-out.bench.mjs runs (issue 15), each its own OS process so /proc can
// say where the CPU goes: `newton gateway start` gateways (admitting any operator, the rate limit
// out of the way, an API key from `newton gateway keys create`), operators in child processes
// (lib/operators-child.mjs: one or several runOperator each, over HTTP or on a NATS bus), and the
// BLS keystores they load. Everything lives in one temp directory; `stop()` ends every process
// started here (by its own handle) and removes the directory.
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeystore } from '../../bindings/dist/index.js';

const CLI = new URL('../../bindings/bin/newton.js', import.meta.url).pathname;
const PASSWORD = 'scale-out bench';

/** A scratch area for one bench run: gateways, operator processes, keystores, and their cleanup. */
export function scaleOutServices(owner) {
  const dir = mkdtempSync(join(tmpdir(), 'newton-bench-scale-'));
  const cleanup = [];

  /** `node CLI ...args` until its first stdout line (a service's ready line): `{ line, pid }`. */
  function startService(args) {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve({ line: out.split('\n')[0], pid: child.pid });
      });
      child.once('exit', (code) => reject(new Error(`newton ${args.slice(0, 2).join(' ')} exited ${code}`)));
    });
  }

  /** `n` fresh EIP-2335 keystore files (pbkdf2, so loading them is quick). */
  function keystores(n) {
    return Promise.all(Array.from({ length: n }, async (_, i) => {
      const file = join(dir, `keystore-${Date.now()}-${i}-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, (await generateKeystore(PASSWORD, 'pbkdf2')).keystoreJson);
      return file;
    }));
  }

  /**
   * A `newton gateway start` process (`extra`: e.g. --nats, --database, --keys-file): resolves to
   * `{ url, rpcUrl, apiKey, pid }`, the API key owned by `owner`.
   */
  async function gateway(name, extra = []) {
    const dataDir = join(dir, name);
    const common = ['--admit-operators', 'any', '--rate-limit-max', '100000000', '--port', '0', '--log-level', 'error', '--format', 'json'];
    const { line, pid } = await startService(['gateway', 'start', '--data-dir', dataDir, ...common, ...extra]);
    const { url } = JSON.parse(line);
    const at = extra.indexOf('--database');
    const store = at >= 0 ? ['--database', extra[at + 1]] : ['--data-dir', dataDir];
    const keyArgs = ['gateway', 'keys', 'create', ...store, '--permission', 'write', '--owner', owner.address, '--format', 'json'];
    const { key } = JSON.parse(execFileSync(process.execPath, [CLI, ...keyArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    return { url, rpcUrl: `${url}/rpc`, apiKey: key, pid };
  }

  /**
   * `count` operators split over `processes` child processes, registered with `gatewayUrl` over
   * `nats` (a server URL) or HTTP (undefined); resolves once every one is admitted, to
   * `[{ pid, operators: [{ operatorId, url }] }]`, one entry per process.
   */
  async function operators(gatewayUrl, nats, count, processes = count) {
    const files = await keystores(count);
    const per = Math.ceil(count / processes);
    return Promise.all(Array.from({ length: processes }, (_, i) => new Promise((resolve, reject) => {
      const args = [gatewayUrl, nats ?? '-', ...files.slice(i * per, (i + 1) * per)];
      const child = fork(new URL('./operators-child.mjs', import.meta.url), args, {
        env: { ...process.env, BENCH_PASSWORD: PASSWORD }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      cleanup.push(async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.disconnect();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      child.once('message', (m) => resolve({ pid: child.pid, operators: m.operators }));
      child.once('exit', (code) => reject(new Error(`operators child exited ${code}`)));
    })));
  }

  return {
    dir, gateway, operators,
    /** Runs `stop` at the end, after everything started later. */
    onStop: (stop) => cleanup.push(stop),
    async stop() {
      for (const stop of cleanup.reverse()) await Promise.resolve().then(stop).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
