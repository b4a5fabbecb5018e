// Wire forms of signed authorizations: the privacy registry's (checked by PrivacyStore) and the
// domain names they cover.
import { Type, type Static } from '@sinclair/typebox';
import { domainId, type Authorization, type Hex } from 'newton-engine';
import { invalidParams } from '../rpc/errors.js';
import { address, hexBytes } from '../rpc/hex.js';
import { Address, HexText, Opt } from '../rpc/types.js';

/** `{signer, nonce, deadline, signature}`: an EIP-712 signature with the signer's nonce and an expiry (unix seconds). */
export const AuthorizationParam = Type.Object({
  signer: Address,
  nonce: Type.Integer({ minimum: 0 }),
  deadline: Type.Integer({ minimum: 0 }),
  signature: HexText,
});

export function authorization(value: Static<typeof AuthorizationParam>, field: string): Authorization {
  return {
    signer: address(value.signer, `${field}.signer`),
    nonce: value.nonce,
    deadline: value.deadline,
    signature: hexBytes(value.signature, 65, `${field}.signature`),
  };
}

/** A signature with optional nonce (default: the signer's next) and a deadline, as flat params. */
export const FlatSignature = { nonce: Opt(Type.Integer({ minimum: 0 })), deadline: Type.Integer({ minimum: 0 }) };

/** Domains whose bytes32 id the gateway can map back to a name; others must be given by name. */
const KNOWN_DOMAINS = ['kyc', 'newton.privacy.blacklist', 'newton.confidential.blacklist'];
const byId = new Map(KNOWN_DOMAINS.map((name) => [domainId(name), name]));

/** A domain as its name (`kyc`), or the bytes32 id of a known one. */
export function domainName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw invalidParams(`${field} must be a domain name (1–256 bytes)`);
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(value)) {
    const name = byId.get(`0x${value.replace(/^0x/, '').toLowerCase()}` as Hex);
    if (!name) throw invalidParams(`${field} ${value} is not a known domain id; pass the domain's name (e.g. "kyc")`);
    return name;
  }
  return value;
}

/** The envelope as the exact JSON text it was sealed as (an object is serialized in its key order). */
export function envelopeText(value: unknown, field = 'envelope'): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return JSON.stringify(value);
  throw invalidParams(`${field} must be the SecureEnvelope JSON (a string)`);
}
