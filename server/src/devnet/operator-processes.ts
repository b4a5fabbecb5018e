// The devnet's operators as child processes (operator/main.js, forked with an IPC channel): BLS
// keystores made on first start in <dataDir>/operators/<n>/, each process reporting ready once
// the gateway admitted it, killable and restartable one by one, all stopped together. A child
// exits by itself when the channel closes, so none outlives the devnet however it ends.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateKeystore, type Hex } from 'newton-engine';

export interface OperatorProcessesOptions {
  count: number;
  /** Keystores and module caches live in <dataDir>/operators. */
  dataDir: string;
  gatewayUrl: string;
  gatewayAddress: Hex;
  /** Hosts the operators' PolicyData may reach (the fixture chain RPC). */
  allowHosts?: string[];
  /** A compiled-module cache they share (default: each its own in its data directory). */
  wasmCacheDir?: string;
  /** Serve on this NATS server instead of HTTP. */
  nats?: string;
  logLevel?: string;
  /** Where the children's stderr goes (default: inherited). */
  stderr?: NodeJS.WritableStream;
  /** How often each renews its registration (default: the operators' 10,000 ms). */
  renewMs?: number;
  /** How long a child may take to be admitted (default 30,000 ms). */
  readyTimeoutMs?: number;
}

export interface OperatorProcess {
  /** 1-based, as the tour names them. */
  index: number;
  operatorId: Hex;
  url: string;
  child: ChildProcess;
}

const MAIN = new URL('../operator/main.js', import.meta.url);

/** The operators' keystores: made on first start (pbkdf2), with one password file beside them. */
export async function operatorKeystores(dataDir: string, count: number): Promise<{ files: string[]; password: string }> {
  const root = path.join(dataDir, 'operators');
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(root, 'password');
  if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const files = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const dir = path.join(root, String(i + 1));
      const file = path.join(dir, 'keystore.json');
      if (!fs.existsSync(file)) {
        const { keystoreJson } = await generateKeystore(password, 'pbkdf2');
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, `${keystoreJson}\n`, { mode: 0o600 });
      }
      return file;
    }),
  );
  return { files, password };
}

export class OperatorProcesses {
  readonly #options: OperatorProcessesOptions;
  readonly #keystores: { files: string[]; password: string };
  readonly #running = new Map<number, OperatorProcess>();

  private constructor(options: OperatorProcessesOptions, keystores: { files: string[]; password: string }) {
    this.#options = options;
    this.#keystores = keystores;
  }

  /** Makes the keystores and starts every operator; resolves when all are admitted. */
  static async start(options: OperatorProcessesOptions, onReady?: (op: OperatorProcess) => void): Promise<OperatorProcesses> {
    const processes = new OperatorProcesses(options, await operatorKeystores(options.dataDir, options.count));
    try {
      await Promise.all(Array.from({ length: options.count }, (_, i) => processes.start(i + 1).then((op) => onReady?.(op))));
    } catch (err) {
      await processes.stop();
      throw err;
    }
    return processes;
  }

  get running(): OperatorProcess[] {
    return [...this.#running.values()].sort((a, b) => a.index - b.index);
  }

  /** Starts operator `index` (1-based); resolves once the gateway has admitted it. */
  async start(index: number): Promise<OperatorProcess> {
    if (this.#running.has(index)) throw new Error(`operator ${index} is running`);
    const { gatewayUrl, gatewayAddress, dataDir, allowHosts, logLevel = 'warn', readyTimeoutMs = 30_000 } = this.#options;
    const child = fork(MAIN, [], {
      env: {
        ...process.env,
        NEWTON_OPERATOR_KEYSTORE: this.#keystores.files[index - 1],
        NEWTON_KEYSTORE_PASSWORD: this.#keystores.password,
        NEWTON_GATEWAY_URL: gatewayUrl,
        NEWTON_GATEWAY_ADDRESS: gatewayAddress,
        NEWTON_OPERATOR_DATA_DIR: path.join(dataDir, 'operators', String(index)),
        NEWTON_ALLOW_HOSTS: (allowHosts ?? []).join(','),
        NEWTON_WASM_CACHE_DIR: this.#options.wasmCacheDir ?? '',
        NEWTON_NATS_URL: this.#options.nats ?? '',
        ...(this.#options.renewMs !== undefined && { NEWTON_RENEW_MS: String(this.#options.renewMs) }),
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: logLevel,
      },
      stdio: ['ignore', 'ignore', this.#options.stderr ? 'pipe' : 'inherit', 'ipc'],
    });
    if (this.#options.stderr) child.stderr?.pipe(this.#options.stderr, { end: false });
    const ready = new Promise<{ url: string; operatorId: Hex }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`operator ${index} was not admitted within ${readyTimeoutMs} ms`)), readyTimeoutMs);
      child.on('message', (message: { ready?: boolean; url: string; operatorId: Hex }) => {
        if (!message.ready) return;
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`operator ${index} exited (${signal ?? `code ${code}`}) before it was admitted`));
      });
    });
    try {
      const { url, operatorId } = await ready;
      const op = { index, operatorId, url, child };
      this.#running.set(index, op);
      child.once('exit', () => this.#running.get(index) === op && this.#running.delete(index));
      return op;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** Kills operator `index` with `signal` (default SIGKILL: a crash) and waits for it to exit. */
  async kill(index: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const op = this.#running.get(index);
    if (!op) throw new Error(`operator ${index} is not running`);
    this.#running.delete(index);
    const exited = once(op.child, 'exit');
    op.child.kill(signal);
    await exited;
  }

  /** Stops every operator: SIGTERM (in-flight rounds finish), SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const children = [...this.#running.values()].map((op) => op.child);
    this.#running.clear();
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
