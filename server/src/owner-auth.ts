// Signatures where Newton's contracts check msg.sender (registering a policy client, setPolicy,
// setPolicyParams by the owner; spending an attestation by its caller): the typed data of newton-engine's OWNER_EIP712_TYPES
// (domain {name: "NewtonGateway", version: "1", chainId: the gateway's chain, verifyingContract:
// 0x0}), the owner's next nonce (newton_getNonce) and a deadline in unix seconds.
// `policyParamsHash` is keccak256 of the params' UTF-8 JSON text exactly as stored (an object
// param is JSON.stringify'd in its key order).
import { ownerTypedData, type Hex, type OwnerAuthorization, type OwnerMessageType } from 'newton-engine';
import type { Gateway } from './gateway.js';
import { unauthorized } from './rpc/errors.js';

/** Checks the signature recovers `owner`, the deadline has not passed, and consumes the nonce. */
export async function checkOwner(gateway: Gateway, owner: Hex, type: OwnerMessageType, message: Record<string, unknown>, auth: OwnerAuthorization): Promise<void> {
  if (auth.deadline < Math.floor(Date.now() / 1000)) throw unauthorized(`${type}: the authorization's deadline has passed`);
  let signer: Hex;
  try {
    signer = await gateway.signatures.recover(ownerTypedData(gateway.clock.chainId, type, message, auth.nonce, auth.deadline) as never, auth.signature);
  } catch {
    throw unauthorized(`${type}: the signature is not a valid secp256k1 signature`);
  }
  if (signer.toLowerCase() !== owner.toLowerCase()) throw unauthorized(`${type}: signed by ${signer}, not by ${owner}`);
  if (!(await gateway.store.useNonce(owner, auth.nonce))) {
    throw unauthorized(`${type}: nonce ${auth.nonce} is not ${owner}'s next (${await gateway.store.nonce(owner)})`);
  }
}
