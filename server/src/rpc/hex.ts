// Lenient readers for the wire's hex: data with or without `0x`, non-minimal quantities, any
// address casing, snake_case or camelCase intent keys. Each returns one canonical form (lowercase
// `0x` hex, bigint) or throws invalid params naming the field.
import type { Hex, NewtonIntent } from 'newton-engine';
import { invalidParams } from './errors.js';

const HEX = /^(0x)?([0-9a-fA-F]*)$/;

/** Even-length byte data; `''`, `'0x'` are empty. */
export function hexData(value: unknown, field: string): Hex {
  const m = typeof value === 'string' ? HEX.exec(value) : null;
  if (!m || m[2]!.length % 2 !== 0) throw invalidParams(`${field} must be hex bytes (with or without 0x)`);
  return `0x${m[2]!.toLowerCase()}`;
}

/** Exactly `n` bytes of hex. */
export function hexBytes(value: unknown, n: number, field: string): Hex {
  const hex = hexData(value, field);
  if (hex.length !== 2 + 2 * n) throw invalidParams(`${field} must be ${n} bytes of hex`);
  return hex;
}

export const address = (value: unknown, field: string): Hex => hexBytes(value, 20, field);
export const bytes32 = (value: unknown, field: string): Hex => hexBytes(value, 32, field);

const UINT256_MAX = (1n << 256n) - 1n;

/** A uint256: 0x-hex (leading zeros allowed), a decimal string or a safe integer. */
export function quantity(value: unknown, field: string, max = UINT256_MAX): bigint {
  let n: bigint | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) n = BigInt(value);
  else if (typeof value === 'string' && /^0[xX][0-9a-fA-F]{1,64}$/.test(value)) n = BigInt(`0x${value.slice(2)}`);
  else if (typeof value === 'string' && /^[0-9]{1,78}$/.test(value)) n = BigInt(value);
  if (n === undefined || n > max) throw invalidParams(`${field} must be a non-negative quantity (0x-hex, decimal string or integer)${max < UINT256_MAX ? ` ≤ ${max}` : ''}`);
  return n;
}

export const toQuantityHex = (n: bigint): Hex => `0x${n.toString(16)}`;

/** A wire TaskIntent (snake_case or camelCase keys) as Newton's `Intent` JSON. */
export function intent(value: unknown, field = 'intent'): NewtonIntent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParams(`${field} must be an object`);
  const v = value as Record<string, unknown>;
  /** A required field under either spelling; null is "not set", so it is missing too. */
  const required = (snake: string, camel = snake) => {
    const found = v[snake] ?? v[camel];
    if (found === undefined || found === null) throw invalidParams(`${field}.${snake} is required`);
    return found;
  };
  const [amount, data, chainId, functionSignature] = [required('value'), required('data'), required('chain_id', 'chainId'), required('function_signature', 'functionSignature')];
  return {
    from: address(v.from, `${field}.from`),
    to: address(v.to, `${field}.to`),
    value: toQuantityHex(quantity(amount, `${field}.value`)),
    data: hexData(data, `${field}.data`),
    chainId: toQuantityHex(quantity(chainId, `${field}.chain_id`)),
    functionSignature: hexData(functionSignature, `${field}.function_signature`),
  };
}
