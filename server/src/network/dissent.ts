// Who a PolicyData consensus failure is about: from the failing path's values (one per operator,
// in the order the results were given), the operators beyond the tolerance of the median, or
// unlike the value most operators reported.
import type { NewtonError } from 'newton-engine';

export interface Dissent {
  /** Index into the results given to the consensus. */
  index: number;
  message: string;
}

interface Details {
  path?: string;
  values?: unknown[];
  median?: number;
  tolerance?: number;
}

/** The dissenting results of a consensus error over `count` results (none when it cannot tell). */
export function dissents(err: NewtonError, count: number): Dissent[] {
  const { path = '$', values, median, tolerance } = (err.details ?? {}) as Details;
  if (!Array.isArray(values) || values.length !== count) return [];
  if (err.code === 'NEWTON_ERR_CONSENSUS_TOLERANCE_EXCEEDED' && typeof median === 'number' && typeof tolerance === 'number') {
    return values.flatMap((value, index) =>
      typeof value === 'number' && Math.abs(value - median) <= tolerance * Math.abs(median)
        ? []
        : [{ index, message: `${path} is ${JSON.stringify(value)}, more than ${tolerance * 100}% from the median ${median}` }],
    );
  }
  const texts = values.map((v) => JSON.stringify(v));
  const tally = new Map<string, number>();
  for (const text of texts) tally.set(text, (tally.get(text) ?? 0) + 1);
  const [[common, most] = ['', 0], second] = [...tally].sort((a, b) => b[1] - a[1]);
  if (second !== undefined && second[1] === most) return [];
  return texts.flatMap((text, index) => (text === common ? [] : [{ index, message: `${path} is ${text}, most operators reported ${common}` }]));
}
