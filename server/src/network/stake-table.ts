// The registry's stakes for one task's quorums, to tell whether a set of operators can still
// reach the threshold and how far signatures have got (the aggregator alone issues certificates).
import type { Hex, OperatorRegistry } from 'newton-engine';

export class StakeTable {
  readonly #stakes = new Map<string, bigint[]>();
  readonly #totals: bigint[];

  /** The registry as it is now, for `quorumNumbers`. */
  constructor(registry: OperatorRegistry, quorumNumbers: number[]) {
    const entries = JSON.parse(registry.toJson()) as Array<{ operator_id: string; stake: Record<string, string> }>;
    for (const entry of entries) {
      this.#stakes.set(entry.operator_id.toLowerCase(), quorumNumbers.map((q) => BigInt(entry.stake[q] ?? 0)));
    }
    this.#totals = quorumNumbers.map((q) => registry.totalStake(q));
  }

  /** Whether `operators` hold `threshold` percent of every quorum (`signed × 100 ≥ total × threshold`, both non-zero). */
  meets(operators: Iterable<Hex>, threshold: number): boolean {
    const signed = this.#signed(operators);
    return this.#totals.length > 0 && this.#totals.every((total, i) => {
      const s = signed[i]!;
      return s > 0n && total > 0n && s * 100n >= total * BigInt(threshold);
    });
  }

  /** The share of the least-covered quorum `operators` hold, percent with two decimals. */
  percent(operators: Iterable<Hex>): number {
    const signed = this.#signed(operators);
    const shares = this.#totals.map((total, i) => (total === 0n ? 0 : Number((signed[i]! * 10_000n) / total) / 100));
    return shares.length === 0 ? 0 : Math.min(...shares);
  }

  #signed(operators: Iterable<Hex>): bigint[] {
    const sums = this.#totals.map(() => 0n);
    for (const id of new Set([...operators].map((o) => o.toLowerCase()))) {
      this.#stakes.get(id)?.forEach((stake, i) => (sums[i]! += stake));
    }
    return sums;
  }
}
