// The intent's EIP-712 signature (protocol reference §5.2): primary type `Intent`, domain
// {name: "NewtonPolicyClient", version: "1", chainId: intent.chainId, verifyingContract: the policy
// client} — the local stand-in for the client contract's eip712Domain(). 65 bytes, recovering
// intent.from.
import type { Hex, NewtonIntent } from 'newton-engine';
import { recoverTypedDataAddress } from 'viem';
import { invalidParams } from '../rpc/errors.js';

export const INTENT_EIP712_TYPES = {
  Intent: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'data', type: 'bytes' },
    { name: 'chainId', type: 'uint256' },
    { name: 'functionSignature', type: 'bytes' },
  ],
} as const;

/** The typed data a wallet signs for `intent` sent to `policyClient`. */
export function intentTypedData(intent: NewtonIntent, policyClient: Hex) {
  return {
    domain: { name: 'NewtonPolicyClient', version: '1', chainId: BigInt(intent.chainId), verifyingContract: policyClient },
    types: INTENT_EIP712_TYPES,
    primaryType: 'Intent' as const,
    message: {
      from: intent.from,
      to: intent.to,
      value: BigInt(intent.value),
      data: intent.data,
      chainId: BigInt(intent.chainId),
      functionSignature: intent.functionSignature,
    },
  };
}

/** Throws invalid params unless `signature` (65 bytes) is intent.from's signature of the intent. */
export async function verifyIntentSignature(intent: NewtonIntent, policyClient: Hex, signature: Hex): Promise<void> {
  if (signature.length !== 2 + 130) throw invalidParams('intent_signature: expected exactly 65 bytes');
  let signer: Hex;
  try {
    signer = await recoverTypedDataAddress({ ...intentTypedData(intent, policyClient), signature });
  } catch {
    throw invalidParams('intent_signature is not a valid secp256k1 signature');
  }
  if (signer.toLowerCase() !== intent.from.toLowerCase()) {
    throw invalidParams(`intent_signature was signed by ${signer}, not intent.from ${intent.from}`);
  }
}
