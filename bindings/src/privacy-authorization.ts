// EIP-712 authorizations for the privacy registries' writes. Every change to who owns, links,
// publishes or may read private data is signed by its party (viem), with the signer's next nonce
// in the store and a deadline; the store verifies them in Rust (alloy) against the same types.
import { keccak256, toBytes, zeroAddress, type Hex, type LocalAccount, type TypedDataDefinition } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** What the store needs of a signature. */
export interface Authorization {
  signer: Hex;
  nonce: number;
  /** Unix seconds after which the store refuses it. */
  deadline: number;
  /** 65-byte `r ‖ s ‖ v` hex. */
  signature: Hex;
}

const nonceDeadline = [
  { name: 'nonce', type: 'uint256' },
  { name: 'deadline', type: 'uint256' },
] as const;
const linkFields = [
  { name: 'identityOwner', type: 'address' },
  { name: 'policyClient', type: 'address' },
  { name: 'clientUser', type: 'address' },
  { name: 'identityDomains', type: 'bytes32[]' },
  ...nonceDeadline,
] as const;

/** The EIP-712 types, field for field the `sol!` structs in crates/newton-privacy/src/authorization.rs. */
export const PRIVACY_EIP712_TYPES = {
  UploadIdentity: [
    { name: 'identityOwner', type: 'address' },
    { name: 'identityDomain', type: 'bytes32' },
    { name: 'dataRefId', type: 'bytes32' },
    ...nonceDeadline,
  ],
  LinkIdentity: linkFields,
  UnlinkIdentity: linkFields,
  PublishData: [
    { name: 'provider', type: 'address' },
    { name: 'domain', type: 'bytes32' },
    { name: 'dataRefId', type: 'bytes32' },
    ...nonceDeadline,
  ],
  ProposeGrant: [
    { name: 'provider', type: 'address' },
    { name: 'domain', type: 'bytes32' },
    { name: 'policyClient', type: 'address' },
    ...nonceDeadline,
  ],
  AcceptGrant: [
    { name: 'policyClientOwner', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'domain', type: 'bytes32' },
    { name: 'policyClient', type: 'address' },
    ...nonceDeadline,
  ],
  RevokeGrant: [
    { name: 'provider', type: 'address' },
    { name: 'domain', type: 'bytes32' },
    { name: 'policyClient', type: 'address' },
    ...nonceDeadline,
  ],
} as const;

export type PrivacyMessageType = keyof typeof PRIVACY_EIP712_TYPES;
/** A message's fields other than `nonce` and `deadline`. */
export type PrivacyMessage = Record<string, Hex | readonly Hex[]>;

/** `keccak256(utf8(name))`: an identity/confidential domain id, e.g. `domainId('kyc')`. */
export function domainId(name: string): Hex {
  return keccak256(toBytes(name));
}

/** The full typed data a wallet signs (`signTypedData`). The local store's verifying contract is the zero address. */
export function privacyTypedData(
  primaryType: PrivacyMessageType,
  message: PrivacyMessage,
  options: { chainId: number | bigint | string; nonce: number; deadline: number; verifyingContract?: Hex },
): TypedDataDefinition {
  return {
    domain: {
      name: 'NewtonPrivacyRegistry',
      version: '1',
      chainId: BigInt(options.chainId),
      verifyingContract: options.verifyingContract ?? zeroAddress,
    },
    types: PRIVACY_EIP712_TYPES,
    primaryType,
    message: { ...message, nonce: BigInt(options.nonce), deadline: BigInt(options.deadline) },
  } as TypedDataDefinition;
}

/** Signs `message` as `account` (a viem LocalAccount or a 0x private key). Deadline defaults to one hour from now. */
export async function signPrivacyAuthorization(
  account: LocalAccount | Hex,
  primaryType: PrivacyMessageType,
  message: PrivacyMessage,
  options: { chainId: number | bigint | string; nonce: number; deadline?: number },
): Promise<Authorization> {
  const signer = typeof account === 'string' ? privateKeyToAccount(account) : account;
  const deadline = options.deadline ?? Math.floor(Date.now() / 1000) + 3600;
  const typedData = privacyTypedData(primaryType, message, { ...options, deadline });
  if (!signer.signTypedData) throw new TypeError('the account cannot sign typed data');
  const signature = await signer.signTypedData(typedData);
  return { signer: signer.address, nonce: options.nonce, deadline, signature };
}
