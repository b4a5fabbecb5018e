// Operator identities from BLS keys: the id EigenLayer-style (keccak256 of the public key), an
// address, the proof of possession, and the registry entry they make.
import { bytesToHex, type BlsSigner, type Hex, type OperatorEntry } from 'newton-engine';
import { keccak256 } from 'viem';
import type { OperatorIdentity } from './transport.js';

/** Stake per quorum number; amounts as decimal strings, numbers or bigints. */
export type StakeInput = Record<string, string | number | bigint>;

/** keccak256 of the 48-byte compressed public key. */
export function operatorId(publicKey: Uint8Array): Hex {
  return keccak256(publicKey);
}

/**
 * The identity of the operator signing with `signer`. Without an ECDSA account of its own, its
 * address is the last 20 bytes of its id (as Ethereum derives addresses from key hashes).
 */
export function operatorIdentity(signer: BlsSigner, stake: StakeInput, operatorAddress?: Hex): OperatorIdentity {
  const id = operatorId(signer.publicKey);
  return {
    operatorId: id,
    operatorAddress: operatorAddress ?? `0x${id.slice(-40)}`,
    publicKey: bytesToHex(signer.publicKey),
    proofOfPossession: bytesToHex(signer.proofOfPossession()),
    stake: Object.fromEntries(Object.entries(stake).map(([quorum, amount]) => [quorum, BigInt(amount).toString()])),
  };
}

/** The `OperatorRegistry` entry of an identity. */
export function registryEntry(identity: OperatorIdentity): OperatorEntry {
  return {
    operator_id: identity.operatorId,
    public_key: identity.publicKey,
    proof_of_possession: identity.proofOfPossession,
    stake: identity.stake,
  };
}
