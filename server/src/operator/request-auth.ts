// The gateway's signature on an operator request: EIP-712 typed data over the method, the task
// id, the operator it is addressed to, keccak256 of the params JSON text, when it was issued and
// its deadline. The gateway signs (`signRequest`); the operator checks (`verifyRequest`).
import { NewtonError, recoverOperatorRequestSigner, signOperatorRequest, type Hex } from 'newton-engine';
import { isHex, keccak256, stringToBytes, type LocalAccount } from 'viem';

/** The EIP-712 domain of operator requests (no chain: the request names its operator instead). */
export const REQUEST_DOMAIN = { name: 'Newton Operator Request', version: '1' } as const;

export const REQUEST_TYPES = {
  OperatorRequest: [
    { name: 'method', type: 'string' },
    { name: 'taskId', type: 'bytes32' },
    { name: 'operatorId', type: 'bytes32' },
    { name: 'paramsDigest', type: 'bytes32' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const;

/** The HTTP headers carrying a request's signature and times (unix milliseconds, decimal). */
export const AUTH_HEADERS = {
  signature: 'x-newton-signature',
  issuedAt: 'x-newton-issued-at',
  deadline: 'x-newton-deadline',
} as const;

export interface RequestAuth {
  /** Unix ms when the gateway signed it. */
  issuedAt: number;
  /** Unix ms after which the operator refuses it. */
  deadline: number;
  /** 65-byte secp256k1 signature of the typed data. */
  signature: Hex;
}

/** What is signed about one request. */
export interface RequestClaims {
  method: string;
  taskId: Hex;
  operatorId: Hex;
  /** The params as sent: `JSON.stringify(params)`. */
  paramsText: string;
}

/** keccak256 of the params JSON text's UTF-8 bytes. */
export const paramsDigest = (paramsText: string): Hex => keccak256(stringToBytes(paramsText));

const message = (claims: RequestClaims, issuedAt: number, deadline: number) => ({
  method: claims.method,
  taskId: claims.taskId,
  operatorId: claims.operatorId,
  paramsDigest: paramsDigest(claims.paramsText),
  issuedAt: BigInt(issuedAt),
  deadline: BigInt(deadline),
});

/**
 * Who signs requests: the gateway's secp256k1 secret key (signed natively, off the event loop —
 * what the gateway uses), or any viem account (its `signTypedData`: the same signature).
 */
export type RequestSigner = { address: Hex; secretKey: Hex } | LocalAccount;

/** The gateway's side: signs `claims`, valid from `issuedAt` for `ttlMs`. */
export async function signRequest(signer: RequestSigner, claims: RequestClaims, ttlMs: number, issuedAt = Date.now()): Promise<RequestAuth> {
  const deadline = issuedAt + Math.max(1, Math.ceil(ttlMs));
  if ('secretKey' in signer) {
    return { issuedAt, deadline, signature: await signOperatorRequest(signer.secretKey, { ...claims, issuedAt, deadline }) };
  }
  if (!signer.signTypedData) throw new TypeError('the gateway account cannot sign typed data');
  const signature = await signer.signTypedData({ domain: REQUEST_DOMAIN, types: REQUEST_TYPES, primaryType: 'OperatorRequest', message: message(claims, issuedAt, deadline) });
  return { issuedAt, deadline, signature };
}

/** The auth headers of a request, as sent. */
export function authHeaders(auth: RequestAuth): Record<string, string> {
  return { [AUTH_HEADERS.signature]: auth.signature, [AUTH_HEADERS.issuedAt]: String(auth.issuedAt), [AUTH_HEADERS.deadline]: String(auth.deadline) };
}

export interface VerifyOptions {
  /** The gateway address the operator trusts. */
  gateway: Hex;
  /** Oldest `issuedAt` accepted, as an age in ms (default 60,000). */
  maxAgeMs: number;
  /** How far in the future `issuedAt` may be (clock skew, default 5,000 ms). */
  clockSkewMs: number;
  now: number;
}

const unauthorized = (message: string) => new NewtonError({ code: 'NEWTON_ERR_UNAUTHORIZED', message });
const stale = (message: string) => new NewtonError({ code: 'NEWTON_ERR_TIMEOUT', message });

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
};

const millis = (text: string | undefined): number | undefined =>
  text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : undefined;

/**
 * The operator's side: the request must carry a signature of `claims` by the trusted gateway
 * (NEWTON_ERR_UNAUTHORIZED otherwise), and be neither past its deadline nor older than
 * `maxAgeMs` nor issued in the future beyond the skew (NEWTON_ERR_TIMEOUT).
 */
export async function verifyRequest(
  headers: Record<string, string | string[] | undefined>,
  claims: RequestClaims,
  options: VerifyOptions,
): Promise<void> {
  const signature = header(headers, AUTH_HEADERS.signature);
  const issuedAt = millis(header(headers, AUTH_HEADERS.issuedAt));
  const deadline = millis(header(headers, AUTH_HEADERS.deadline));
  if (signature === undefined || issuedAt === undefined || deadline === undefined) {
    throw unauthorized(`the request is not signed by the gateway (headers ${Object.values(AUTH_HEADERS).join(', ')} required)`);
  }
  if (!isHex(signature, { strict: true }) || signature.length !== 132) throw unauthorized('the gateway signature is not 65 bytes of 0x-hex');
  const signer = await recoverOperatorRequestSigner({ ...claims, issuedAt, deadline }, signature);
  if (signer.toLowerCase() !== options.gateway.toLowerCase()) throw unauthorized(`the request is signed by ${signer}, not by the trusted gateway`);
  const { now, maxAgeMs, clockSkewMs } = options;
  if (deadline < now) throw stale(`the request's deadline passed ${now - deadline} ms ago`);
  if (issuedAt > now + clockSkewMs) throw stale(`the request is issued ${issuedAt - now} ms in the future`);
  if (now - issuedAt > maxAgeMs) throw stale(`the request was issued ${now - issuedAt} ms ago (at most ${maxAgeMs} ms accepted)`);
}
