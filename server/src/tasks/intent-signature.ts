// The intent's EIP-712 signature (protocol reference §5.2), checked against newton-engine's
// intentTypedData: domain {name: "NewtonPolicyClient", version: "1", chainId: intent.chainId,
// verifyingContract: the policy client}, the local stand-in for the client contract's
// eip712Domain(). 65 bytes, recovering intent.from.
import { intentTypedData, type Hex, type NewtonIntent } from 'newton-engine';
import type { SignatureRecovery } from '../signatures.js';
import { invalidParams } from '../rpc/errors.js';

/** Throws invalid params unless `signature` (65 bytes) is intent.from's signature of the intent. */
export async function verifyIntentSignature(recovery: SignatureRecovery, intent: NewtonIntent, policyClient: Hex, signature: Hex): Promise<void> {
  if (signature.length !== 2 + 130) throw invalidParams('intent_signature: expected exactly 65 bytes');
  let signer: Hex;
  try {
    signer = await recovery.recover(intentTypedData(intent, policyClient), signature);
  } catch {
    throw invalidParams('intent_signature is not a valid secp256k1 signature');
  }
  if (signer.toLowerCase() !== intent.from.toLowerCase()) {
    throw invalidParams(`intent_signature was signed by ${signer}, not intent.from ${intent.from}`);
  }
}
