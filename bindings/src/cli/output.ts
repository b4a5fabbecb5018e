// Where a run's output goes: the caller's streams (the process's, or a test's buffers), the
// `--format` option and the pretty form of a data result.
import { Option } from 'commander';

/** A stream the CLI writes to: process.stdout/stderr, or a buffer in a test. */
export interface Output {
  write(chunk: string | Uint8Array): unknown;
  /** A terminal's width, to wrap help text (80 without). */
  columns?: number;
}

export interface Io {
  stdout: Output;
  stderr: Output;
}

export type Format = 'json' | 'pretty';

/** `--format json|pretty`; `fallback` keeps each command's output as it was before the option existed. */
export const formatOption = (fallback: Format) =>
  new Option('--format <format>', 'output format').choices(['pretty', 'json']).default(fallback);

/** One run of the CLI: its streams, and the exit code of a run that ends without an error. */
export class Cli {
  exitCode = 0;

  constructor(readonly io: Io) {}

  /** `text` and a newline on stdout. */
  out(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** A note for the person at the terminal, on stderr. */
  note(text: string): void {
    this.io.stderr.write(`newton: ${text}\n`);
  }

  /** A data result: one JSON document, or `key  value` lines (a list: a block per item). */
  data(format: Format, value: unknown): void {
    this.out(format === 'json' ? JSON.stringify(value) : pretty(value));
  }
}

function pretty(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(pretty).join('\n\n');
  if (value === null || typeof value !== 'object') return String(value);
  const entries = Object.entries(value);
  const width = Math.max(0, ...entries.map(([key]) => key.length));
  return entries.map(([key, v]) => `${key.padEnd(width)}  ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n');
}
