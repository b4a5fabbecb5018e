// Exit codes, and how a run that throws ends: `newton: CODE: message` on stderr or, with
// `--format json`, exactly one JSON object {code, message, details}.
import { CommanderError, InvalidArgumentError } from 'commander';
import { NewtonError } from '../errors.js';
import type { Io } from './output.js';

export const EXIT = {
  ok: 0,
  /** An operation failed with a NewtonError. */
  failed: 1,
  /** The command line is wrong: an unknown command or option, a missing or invalid value. */
  usage: 2,
  /** Well-formed input, negative verdict: a policy test failed or errored, an attestation is invalid, a gateway task denied or a spend refused. */
  negative: 3,
  /** A bug: NEWTON_ERR_INTERNAL or an exception that is not a NewtonError. */
  internal: 70,
} as const;

/** A mistake on the command line (NEWTON_ERR_INVALID_ARGUMENT, exit 2). */
export class UsageError extends NewtonError {
  constructor(message: string) {
    super({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message });
    this.name = 'UsageError';
  }
}

export const usage = (message: string) => new UsageError(message);

/** A negative verdict reported as an error (its code on stderr, exit 3): e.g. the gateway refusing to spend an attestation. */
export class NegativeVerdict extends NewtonError {
  constructor(info: ConstructorParameters<typeof NewtonError>[0]) {
    super(info);
    this.name = 'NegativeVerdict';
  }
}

/** An option parser accepting a positive safe integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('Expected a positive integer.');
  return n;
}

/** An option parser accepting values that match `pattern` (described as `what`). */
export const matching = (pattern: RegExp, what: string) => (value: string) => {
  if (!pattern.test(value)) throw new InvalidArgumentError(`Expected ${what}.`);
  return value;
};

/** Writes `err` to stderr and returns the run's exit code. */
export function reportError(err: unknown, io: Io, json: boolean): number {
  const [error, exit] = classify(err);
  if (json) io.stderr.write(`${JSON.stringify({ code: error.code, message: error.message, details: error.details ?? null })}\n`);
  else io.stderr.write(`newton: ${error.code}: ${error.message}\n${typeof error.details?.stack === 'string' ? `${error.details.stack}\n` : ''}`);
  return exit;
}

function classify(err: unknown): [NewtonError, number] {
  if (err instanceof CommanderError) return [usage(err.message.replace(/^error: /, '').replace(/\n/g, ' ')), EXIT.usage];
  if (err instanceof UsageError) return [err, EXIT.usage];
  if (err instanceof NegativeVerdict) return [err, EXIT.negative];
  if (err instanceof NewtonError) return [err, err.code === 'NEWTON_ERR_INTERNAL' ? EXIT.internal : EXIT.failed];
  const cause = err instanceof Error ? err : new Error(String(err));
  return [new NewtonError({ code: 'NEWTON_ERR_INTERNAL', message: cause.message, details: { stack: cause.stack } }), EXIT.internal];
}
