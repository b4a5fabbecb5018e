// An operator's registration with a gateway: its identity (BLS key, proof of possession, stake,
// address, id), the URL it serves at, the X25519 key clients' secrets are sealed to for it, and a
// BLS signature by that key over the EIP-712 hash of
// it all, addressed to one gateway and fresh for a few minutes. The operator signs
// (`signRegistration`); the gateway checks (`verifyRegistration`, proofs of possession are
// checked again when the registry is built).
import { NewtonError, blsVerify, hexToBytes, type BlsSigner, type Hex } from 'newton-engine';
import { hashTypedData, isAddress, keccak256 } from 'viem';
import type { OperatorIdentity } from './transport.js';

export const REGISTRATION_DOMAIN = { name: 'Newton Operator Registration', version: '1' } as const;

export const REGISTRATION_TYPES = {
  OperatorRegistration: [
    { name: 'gateway', type: 'address' },
    { name: 'operatorId', type: 'bytes32' },
    { name: 'operatorAddress', type: 'address' },
    { name: 'publicKey', type: 'bytes' },
    { name: 'secretsPublicKey', type: 'bytes32' },
    { name: 'quorumNumbers', type: 'uint8[]' },
    { name: 'stakes', type: 'uint256[]' },
    { name: 'url', type: 'string' },
    { name: 'issuedAt', type: 'uint64' },
  ],
} as const;

/** What an operator posts to `POST <gateway>/operators`. */
export interface OperatorRegistration extends OperatorIdentity {
  /** The X25519 key the gateway seals clients' PolicyData secrets to for this operator. */
  secretsPublicKey: Hex;
  /** Where the gateway reaches its operator service (`http://host:port`, or `nats:<operator id>` on the bus). */
  url: string;
  /** The gateway it is addressed to. */
  gateway: Hex;
  /** Unix ms. */
  issuedAt: number;
  /** 96-byte BLS signature of the registration's EIP-712 hash. */
  signature: Hex;
}

export type UnsignedRegistration = Omit<OperatorRegistration, 'signature'>;

/** The 32 bytes the operator's BLS key signs. */
export function registrationDigest(registration: UnsignedRegistration): Hex {
  const quorums = Object.keys(registration.stake).map(Number).sort((a, b) => a - b);
  return hashTypedData({
    domain: REGISTRATION_DOMAIN,
    types: REGISTRATION_TYPES,
    primaryType: 'OperatorRegistration',
    message: {
      gateway: registration.gateway,
      operatorId: registration.operatorId,
      operatorAddress: registration.operatorAddress,
      publicKey: registration.publicKey,
      secretsPublicKey: registration.secretsPublicKey,
      quorumNumbers: quorums,
      stakes: quorums.map((q) => BigInt(registration.stake[q]!)),
      url: registration.url,
      issuedAt: BigInt(registration.issuedAt),
    },
  });
}

/** The operator's side: its registration with `gateway`, signed now. */
export async function signRegistration(
  signer: BlsSigner,
  identity: OperatorIdentity,
  to: { gateway: Hex; url: string; secretsPublicKey: Hex; issuedAt?: number },
): Promise<OperatorRegistration> {
  const unsigned: UnsignedRegistration = { ...identity, secretsPublicKey: to.secretsPublicKey, url: to.url, gateway: to.gateway, issuedAt: to.issuedAt ?? Date.now() };
  const signature = await signer.sign(hexToBytes(registrationDigest(unsigned)));
  return { ...unsigned, signature: `0x${Buffer.from(signature).toString('hex')}` };
}

const invalid = (message: string) => new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message });
const unauthorized = (message: string) => new NewtonError({ code: 'NEWTON_ERR_UNAUTHORIZED', message });

const hexOf = (value: unknown, bytes: number): value is Hex =>
  typeof value === 'string' && value.length === 2 + 2 * bytes && /^0x[0-9a-fA-F]*$/.test(value);

/** Checks a posted body's shape; the result is what `verifyRegistration` takes. */
export function parseRegistration(body: unknown): OperatorRegistration {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the registration must be a JSON object');
  const r = body as Record<string, unknown>;
  if (!hexOf(r.operatorId, 32)) throw invalid('operatorId must be 32 bytes of 0x-hex');
  if (typeof r.operatorAddress !== 'string' || !isAddress(r.operatorAddress, { strict: false })) throw invalid('operatorAddress must be an address');
  if (!hexOf(r.publicKey, 48)) throw invalid('publicKey must be a 48-byte compressed BLS public key');
  if (!hexOf(r.proofOfPossession, 96)) throw invalid('proofOfPossession must be 96 bytes of 0x-hex');
  if (!hexOf(r.secretsPublicKey, 32)) throw invalid('secretsPublicKey must be a 32-byte X25519 public key');
  if (!hexOf(r.signature, 96)) throw invalid('signature must be 96 bytes of 0x-hex');
  if (typeof r.gateway !== 'string' || !isAddress(r.gateway, { strict: false })) throw invalid('gateway must be an address');
  if (!Number.isSafeInteger(r.issuedAt)) throw invalid('issuedAt must be unix milliseconds');
  if (typeof r.url !== 'string' || r.url.length > 512) throw invalid('url must be a string of at most 512 characters');
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    throw invalid(`url ${JSON.stringify(r.url)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && !(url.protocol === 'nats:' && r.url === `nats:${String(r.operatorId).toLowerCase()}`)) {
    throw invalid('url must be http(s), or nats:<operator id> for an operator on the bus');
  }
  const stake = r.stake;
  if (typeof stake !== 'object' || stake === null || Array.isArray(stake) || Object.keys(stake).length === 0) {
    throw invalid('stake must map quorum numbers to amounts');
  }
  for (const [quorum, amount] of Object.entries(stake)) {
    if (!/^(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])$/.test(quorum)) throw invalid(`stake quorum ${JSON.stringify(quorum)} is not 0–255`);
    if (typeof amount !== 'string' || !/^[0-9]{1,78}$/.test(amount)) throw invalid(`stake of quorum ${quorum} must be a decimal string`);
  }
  return body as OperatorRegistration;
}

export interface RegistrationPolicy {
  /** The gateway's own address (registrations to others are refused). */
  gateway: Hex;
  /** Operator ids admitted, or 'any'. */
  allow: 'any' | readonly Hex[];
  /** How old (or how far in the future) `issuedAt` may be (default 300,000 ms). */
  maxAgeMs?: number;
  now?: number;
}

/**
 * The gateway's side: the id must be keccak256 of the key, the registration addressed to this
 * gateway, fresh, signed by the key (NEWTON_ERR_UNAUTHORIZED) and from an admitted operator
 * (NEWTON_ERR_FORBIDDEN).
 */
export async function verifyRegistration(registration: OperatorRegistration, policy: RegistrationPolicy): Promise<void> {
  const { operatorId, publicKey, gateway, issuedAt, signature } = registration;
  if (keccak256(publicKey).toLowerCase() !== operatorId.toLowerCase()) throw invalid(`operatorId is not keccak256 of the public key`);
  if (gateway.toLowerCase() !== policy.gateway.toLowerCase()) throw unauthorized(`the registration is addressed to gateway ${gateway}, this is ${policy.gateway}`);
  const now = policy.now ?? Date.now();
  const maxAgeMs = policy.maxAgeMs ?? 300_000;
  if (Math.abs(now - issuedAt) > maxAgeMs) throw unauthorized(`the registration was signed ${Math.round((now - issuedAt) / 1000)} s from now (at most ${maxAgeMs / 1000} s either way)`);
  let valid = false;
  try {
    valid = await blsVerify(hexToBytes(publicKey), hexToBytes(registrationDigest(registration)), hexToBytes(signature));
  } catch {
    valid = false;
  }
  if (!valid) throw unauthorized('the registration signature does not verify against its public key');
  if (policy.allow !== 'any' && !policy.allow.some((id) => id.toLowerCase() === operatorId.toLowerCase())) {
    throw new NewtonError({ code: 'NEWTON_ERR_FORBIDDEN', message: `operator ${operatorId} is not admitted by this gateway` });
  }
}
