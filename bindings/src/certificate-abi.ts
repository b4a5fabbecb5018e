// The certificate as Solidity sees it (contracts/src/NewtonTypes.sol `BlsCertificate`): points in
// EIP-2537 form, non-signers as registry indices with their keys, ABI-encoded with viem into the
// `signature_data` that TaskResponseHandler.respondToTask takes. Points decompress with
// @noble/curves, which also checks that they are on the curve and in the subgroup.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { encodeAbiParameters, type Hex } from 'viem';
import type { BytesLike, Certificate } from './attestation.js';
import { hexToBytes } from './bls.js';
import { NewtonError } from './errors.js';

/** `BlsCertificate { bytes32 message; uint32[] nonSignerIndices; bytes nonSignerKeys; bytes signature; }`. */
export const BLS_CERTIFICATE_ABI = {
  type: 'tuple',
  components: [
    { name: 'message', type: 'bytes32' },
    { name: 'nonSignerIndices', type: 'uint32[]' },
    { name: 'nonSignerKeys', type: 'bytes' },
    { name: 'signature', type: 'bytes' },
  ],
} as const;

/** The certificate's fields as the Solidity struct takes them. */
export interface BlsCertificateStruct {
  message: Hex;
  /** Registry indices, ascending. */
  nonSignerIndices: number[];
  /** Their EIP-2537 G1 keys, 128 bytes each, in the same order. */
  nonSignerKeys: Hex;
  /** EIP-2537 G2, 256 bytes. */
  signature: Hex;
}

/** An operator of the on-chain registry: its id and 48-byte compressed key. */
export interface OnChainOperator {
  id: Hex;
  publicKey: BytesLike;
}

const bytes = (value: BytesLike) => (typeof value === 'string' ? hexToBytes(value) : value);
const fp = (value: bigint) => value.toString(16).padStart(128, '0');

function decompress<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new NewtonError({ code: 'NEWTON_ERR_BLS_BAD_ENCODING', message: `${what}: ${(err as Error).message}` }, { cause: err });
  }
}

/** A compressed G1 point (48 bytes) in EIP-2537 form: x‖y, 64 bytes each (NEWTON_ERR_BLS_BAD_ENCODING if invalid). */
export function g1ToEip2537(compressed: BytesLike): Hex {
  const point = decompress('G1 point', () => bls12_381.G1.Point.fromBytes(bytes(compressed)));
  if (point.is0()) return `0x${'0'.repeat(256)}`;
  const { x, y } = point.toAffine();
  return `0x${fp(x)}${fp(y)}`;
}

/** A compressed G2 point (96 bytes) in EIP-2537 form: x.c0‖x.c1‖y.c0‖y.c1 (NEWTON_ERR_BLS_BAD_ENCODING if invalid). */
export function g2ToEip2537(compressed: BytesLike): Hex {
  const point = decompress('G2 point', () => bls12_381.G2.Point.fromBytes(bytes(compressed)));
  if (point.is0()) return `0x${'0'.repeat(512)}`;
  const { x, y } = point.toAffine();
  return `0x${fp(x.c0)}${fp(x.c1)}${fp(y.c0)}${fp(y.c1)}`;
}

/**
 * The certificate as the contract's struct. `operators` is the on-chain registry in its order
 * (`OperatorRegistry.operatorIds()` and the keys it registered); every operator there must be a
 * signer or a non-signer of the certificate (NEWTON_ERR_OPERATOR_UNKNOWN otherwise: the
 * registries differ).
 */
export function certificateStruct(certificate: Certificate, operators: readonly OnChainOperator[]): BlsCertificateStruct {
  const index = new Map(operators.map((op, i) => [op.id.toLowerCase(), i]));
  const listed = new Set([...certificate.signers, ...certificate.non_signers].map((id) => id.toLowerCase()));
  const unknown = [...listed].find((id) => !index.has(id));
  const missing = [...index.keys()].find((id) => !listed.has(id));
  if (unknown !== undefined || missing !== undefined) {
    throw new NewtonError({
      code: 'NEWTON_ERR_OPERATOR_UNKNOWN',
      message: unknown !== undefined
        ? `operator ${unknown} is in the certificate but not in the on-chain registry`
        : `operator ${missing} is in the on-chain registry but neither signed nor is listed as a non-signer`,
    });
  }
  const nonSignerIndices = certificate.non_signers.map((id) => index.get(id.toLowerCase()) as number).sort((a, b) => a - b);
  return {
    message: certificate.message,
    nonSignerIndices,
    nonSignerKeys: `0x${nonSignerIndices.map((i) => g1ToEip2537((operators[i] as OnChainOperator).publicKey).slice(2)).join('')}`,
    signature: g2ToEip2537(certificate.aggregate_signature),
  };
}

/** `abi.encode(BlsCertificate)`: the `signature_data` for TaskResponseHandler.respondToTask. */
export function encodeCertificate(certificate: Certificate, operators: readonly OnChainOperator[]): Hex {
  return encodeAbiParameters([BLS_CERTIFICATE_ABI], [certificateStruct(certificate, operators)]);
}
