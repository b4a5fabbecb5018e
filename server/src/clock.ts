// The local chain's block clock: a block number that grows with wall time (one block per
// `blockTimeMs`, or only when advanced), its timestamps, and the chain id. It persists in the
// store, so a restarted gateway keeps its height.
import type { GatewayStore } from './store/store.js';

export interface BlockClockOptions {
  /** Default 11155111 (Sepolia): Newton's SDK accepts only 1, 11155111, 8453 and 84532. */
  chainId?: number;
  /** Milliseconds per block (default 12,000). */
  blockTimeMs?: number;
  /** False: blocks only advance through `advance` (tests). Default true. */
  autoMine?: boolean;
}

/** What the gateway reads of its chain: this local clock, or a real chain's (server/src/chain/clock.ts). */
export interface Clock {
  readonly chainId: number;
  /** The current block number. */
  readonly block: number;
  /** Unix seconds of block `n` (default: the current one). */
  timestamp(n?: number): number;
  /** Mines `n` blocks at once; resolves to the new block number. */
  advance(n: number): Promise<number>;
}

/** The first block of a fresh chain (high enough that `taskCreatedBlock = block - 1` is positive). */
const GENESIS_BLOCK = 100;

export class BlockClock implements Clock {
  readonly chainId: number;
  readonly blockTimeMs: number;
  readonly autoMine: boolean;
  readonly #store: GatewayStore;
  readonly #genesisMs: number;
  #advanced: number;
  readonly #onAdvance: Array<(advanced: number) => void> = [];

  private constructor(store: GatewayStore, options: Required<BlockClockOptions>, genesisMs: number, advanced: number) {
    this.#store = store;
    this.chainId = options.chainId;
    this.blockTimeMs = options.blockTimeMs;
    this.autoMine = options.autoMine;
    this.#genesisMs = genesisMs;
    this.#advanced = advanced;
  }

  static async open(store: GatewayStore, options: BlockClockOptions = {}): Promise<BlockClock> {
    const resolved = { chainId: options.chainId ?? 11_155_111, blockTimeMs: options.blockTimeMs ?? 12_000, autoMine: options.autoMine ?? true };
    if (!Number.isInteger(resolved.blockTimeMs) || resolved.blockTimeMs <= 0) throw new RangeError('blockTimeMs must be a positive integer');
    const genesis = await store.initMeta('clock.genesis_ms', String(Date.now()));
    const advanced = Number((await store.getMeta('clock.advanced')) ?? 0);
    return new BlockClock(store, resolved, Number(genesis), advanced);
  }

  /** The current block number. */
  get block(): number {
    const mined = this.autoMine ? Math.floor((Date.now() - this.#genesisMs) / this.blockTimeMs) : 0;
    return GENESIS_BLOCK + this.#advanced + Math.max(0, mined);
  }

  /** Unix seconds of block `n` (default: the current one). */
  timestamp(n = this.block): number {
    return Math.floor((this.#genesisMs + (n - GENESIS_BLOCK) * this.blockTimeMs) / 1000);
  }

  /** Mines `n` blocks at once; resolves to the new block number. */
  async advance(n: number): Promise<number> {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('blocks must be a non-negative integer');
    this.#advanced += n;
    await this.#store.setMeta('clock.advanced', String(this.#advanced));
    for (const listener of this.#onAdvance) listener(this.#advanced);
    return this.block;
  }

  /** Called with the blocks mined by `advance` so far, after each advance (gateways sharing a chain tell each other). */
  onAdvance(listener: (advanced: number) => void): void {
    this.#onAdvance.push(listener);
  }

  /** Another gateway of the same chain mined up to `advanced`: the clock never goes back. */
  observe(advanced: number): void {
    if (Number.isSafeInteger(advanced) && advanced > this.#advanced) this.#advanced = advanced;
  }
}
