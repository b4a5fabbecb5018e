// A small argv parser for the CLI: `--flag value`, `--flag=value`, repeatable flags, and
// multi-value flags (`--policy a.rego b.rego`) that take values until the next `--flag`.
import { NewtonError } from '../errors.js';

export interface FlagSpec {
  /** Takes no value. */
  boolean?: boolean;
  /** Collects every value given (repeated or space-separated). */
  multiple?: boolean;
}

export interface Parsed {
  flags: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): Parsed {
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const flag = spec[name];
    if (!flag) throw usage(`unknown option --${name}`);
    if (flag.boolean) {
      flags[name] = true;
      continue;
    }
    const values = inline !== undefined ? [inline] : [];
    while (inline === undefined && i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) {
      values.push(argv[++i] as string);
      if (!flag.multiple) break;
    }
    if (values.length === 0) throw usage(`--${name} needs a value`);
    if (flag.multiple) flags[name] = [...((flags[name] as string[] | undefined) ?? []), ...values];
    else flags[name] = values[0];
  }
  return { flags, positionals };
}

export function usage(message: string): NewtonError {
  return new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message });
}

export function str(parsed: Parsed, name: string): string | undefined {
  return parsed.flags[name] as string | undefined;
}

export function list(parsed: Parsed, name: string): string[] {
  return (parsed.flags[name] as string[] | undefined) ?? [];
}

export function required(parsed: Parsed, name: string): string {
  const value = str(parsed, name);
  if (value === undefined) throw usage(`--${name} is required`);
  return value;
}

export function format(parsed: Parsed, allowed: string[], fallback: string): string {
  const value = str(parsed, 'format') ?? fallback;
  if (!allowed.includes(value)) throw usage(`--format must be one of ${allowed.join(', ')}`);
  return value;
}
