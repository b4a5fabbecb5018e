// EIP-712 signer recovery off the event loop: a small pool of worker threads (signature-worker.ts).
// A worker that dies fails only its pending recoveries and is replaced.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Hex } from 'newton-engine';
import type { recoverTypedDataAddress } from 'viem';
import type { RecoverReply } from './signature-worker.js';

type TypedData = Omit<Parameters<typeof recoverTypedDataAddress>[0], 'signature'>;

interface Pending {
  resolve: (signer: Hex) => void;
  reject: (err: Error) => void;
}

const WORKER_URL = new URL('./signature-worker.js', import.meta.url);

export class SignatureRecovery {
  readonly #workers: (Worker | undefined)[];
  readonly #pending = new Map<number, Pending & { worker: number }>();
  #next = 0;
  #closed = false;

  constructor(size = Math.max(1, Math.min(2, availableParallelism() - 1))) {
    this.#workers = Array.from({ length: size }, () => undefined);
  }

  /** The address that signed `typedData` (rejects when the signature is malformed). */
  recover(typedData: TypedData, signature: Hex): Promise<Hex> {
    if (this.#closed) return Promise.reject(new Error('signature recovery is closed'));
    const id = this.#next++;
    const slot = id % this.#workers.length;
    const worker = (this.#workers[slot] ??= this.#spawn(slot));
    return new Promise<Hex>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, worker: slot });
      worker.ref();
      worker.postMessage({ id, typedData: { ...typedData, signature } });
    });
  }

  #spawn(slot: number): Worker {
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (reply: RecoverReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (![...this.#pending.values()].some((p) => p.worker === slot)) worker.unref();
      if (!pending) return;
      if ('signer' in reply) pending.resolve(reply.signer);
      else pending.reject(new Error(reply.error));
    });
    const fail = (err: Error) => {
      if (this.#workers[slot] === worker) this.#workers[slot] = undefined;
      for (const [id, pending] of this.#pending) {
        if (pending.worker !== slot) continue;
        this.#pending.delete(id);
        pending.reject(err);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`signature worker exited (${code})`)));
    return worker;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w?.terminate()));
  }
}
