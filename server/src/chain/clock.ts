// The block clock of chain mode: the chain's own block number, timestamp and chain id, polled
// over its RPC (and bumped by the gateway's own receipts), behind the local clock's interface,
// so tasks' reference blocks and expirations are the chain's blocks.
import type { PublicClient } from 'viem';
import type { Clock } from '../clock.js';
import { chainError } from './errors.js';

export interface ChainClockOptions {
  /** How often the latest block is read, ms (default 1,000). */
  pollingIntervalMs?: number;
  /** Seconds per block assumed for timestamps of blocks not seen (default 12). */
  blockTimeSeconds?: number;
}

export class ChainClock implements Clock {
  readonly chainId: number;
  readonly #client: PublicClient;
  readonly #blockTimeSeconds: number;
  readonly #timer: NodeJS.Timeout;
  #block: number;
  #timestamp: number;

  private constructor(client: PublicClient, chainId: number, latest: { number: bigint; timestamp: bigint }, options: ChainClockOptions) {
    this.#client = client;
    this.chainId = chainId;
    this.#block = Number(latest.number);
    this.#timestamp = Number(latest.timestamp);
    this.#blockTimeSeconds = options.blockTimeSeconds ?? 12;
    this.#timer = setInterval(() => void this.refresh().catch(() => undefined), options.pollingIntervalMs ?? 1_000);
    this.#timer.unref();
  }

  static async open(client: PublicClient, options: ChainClockOptions = {}): Promise<ChainClock> {
    const [chainId, latest] = await Promise.all([client.getChainId(), client.getBlock({ blockTag: 'latest' })]).catch((err: unknown) => {
      throw chainError('reading the chain id and latest block', err);
    });
    return new ChainClock(client, chainId, latest, options);
  }

  /** The latest block seen. */
  get block(): number {
    return this.#block;
  }

  /** The chain's timestamp of the latest block seen; other blocks' are estimated from it. */
  timestamp(n = this.#block): number {
    return this.#timestamp + (n - this.#block) * this.#blockTimeSeconds;
  }

  /** Reads the latest block now; resolves to its number. */
  async refresh(): Promise<number> {
    const latest = await this.#client.getBlock({ blockTag: 'latest' });
    this.observe(Number(latest.number), Number(latest.timestamp));
    return this.#block;
  }

  /** A block the gateway saw (its own receipt): the clock never goes back. */
  observe(block: number, timestamp?: number): void {
    if (block <= this.#block) return;
    this.#timestamp = timestamp ?? this.timestamp(block);
    this.#block = block;
  }

  /** Mines `n` blocks on a development chain (anvil_mine); NEWTON_ERR_CHAIN where the node refuses. */
  async advance(n: number): Promise<number> {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('blocks must be a non-negative integer');
    if (n === 0) return this.refresh();
    try {
      await this.#client.request({ method: 'anvil_mine', params: [`0x${n.toString(16)}`, '0x0'] } as never);
    } catch (err) {
      throw chainError('mining blocks (anvil_mine: a development chain only)', err);
    }
    return this.refresh();
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
