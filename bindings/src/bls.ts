// BLS12-381 signatures (min-pk: 48-byte G1 public keys, 96-byte G2 signatures; ciphersuite
// BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_) and EIP-2335 keystores.
//
// Keys and signatures are Uint8Arrays. A signature that does not verify is `false`; bytes that
// are not a valid point throw NewtonError NEWTON_ERR_BLS_BAD_ENCODING (or NEWTON_ERR_BLS_KEY_INVALID
// for the infinity key). Every operation parses and subgroup-checks its points (≈60 µs per
// signature, ≈40 µs per public key, then ≈0.75 ms per pairing check), so each has an async form
// that runs on the libuv pool (≈55 µs more latency) and a `…Sync` form that blocks the event loop.
import { call, callAsync, NewtonError } from './errors.js';
import { native, type NativeBlsSigner } from './native.js';

export type Hex = `0x${string}`;
/** The keystore KDF: scrypt (n = 2^18, the EIP-2335 default, ≈0.5 s) or PBKDF2-SHA256 (c = 2^18, ≈30 ms). */
export type Kdf = 'scrypt' | 'pbkdf2';

/** What a registry needs of a key: the public key and its proof of possession. */
export interface KeyInfo {
  publicKey: Uint8Array;
  proofOfPossession: Uint8Array;
}

export interface GeneratedKeystore extends KeyInfo {
  /** EIP-2335 (version 4) keystore JSON: the secret key, encrypted under the password. */
  keystoreJson: string;
}

export interface BatchItem {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** `0x`-prefixed lowercase hex. */
export function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Hex (with or without `0x`) → bytes; anything else is NEWTON_ERR_INVALID_ARGUMENT. */
export function hexToBytes(hex: string): Uint8Array {
  const digits = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `not an even-length hex string: ${hex}` });
  }
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

/** Generates a key in Rust and returns it only encrypted, with its public key and proof of possession. */
export function generateKeystore(password: string, kdf?: Kdf): Promise<GeneratedKeystore> {
  return callAsync(() => native.generateKeystore(password, kdf));
}

export function generateKeystoreSync(password: string, kdf?: Kdf): GeneratedKeystore {
  return call(() => native.generateKeystoreSync(password, kdf));
}

/**
 * Decrypts a keystore for its public key and proof of possession (never the secret). A wrong
 * password is NEWTON_ERR_KEYSTORE_PASSWORD; a malformed keystore NEWTON_ERR_KEYSTORE_INVALID.
 */
export function keystoreInfo(keystoreJson: string, password: string): Promise<KeyInfo> {
  return callAsync(() => native.keystoreInfo(keystoreJson, password));
}

export function keystoreInfoSync(keystoreJson: string, password: string): KeyInfo {
  return call(() => native.keystoreInfoSync(keystoreJson, password));
}

/** A BLS secret key held in native memory: it signs and never crosses back to JS. */
export class BlsSigner {
  readonly #native: NativeBlsSigner;

  private constructor(signer: NativeBlsSigner) {
    this.#native = signer;
  }

  /** @internal the addon handle, for TaskEvaluator. */
  get native(): NativeBlsSigner {
    return this.#native;
  }

  /** Decrypts an EIP-2335 keystore off the event loop (scrypt takes ≈0.5 s). */
  static async fromKeystore(keystoreJson: string, password: string): Promise<BlsSigner> {
    return new BlsSigner(await callAsync(() => native.BlsSigner.fromKeystore(keystoreJson, password)));
  }

  static fromKeystoreSync(keystoreJson: string, password: string): BlsSigner {
    return new BlsSigner(call(() => native.BlsSigner.fromKeystoreSync(keystoreJson, password)));
  }

  /** From a 32-byte big-endian scalar (zero or ≥ the group order is NEWTON_ERR_BLS_KEY_INVALID). */
  static fromSecretKey(secretKey: Uint8Array): BlsSigner {
    return new BlsSigner(call(() => native.BlsSigner.fromSecretKey(secretKey)));
  }

  /** The 48-byte compressed public key. */
  get publicKey(): Uint8Array {
    return this.#native.publicKey;
  }

  /** PopProve: the key signing itself under the PoP DST (≈0.3 ms; a registration-time call). */
  proofOfPossession(): Uint8Array {
    return this.#native.proofOfPossession();
  }

  /** The 96-byte signature of `message`, computed on the libuv pool. */
  sign(message: Uint8Array): Promise<Uint8Array> {
    return callAsync(() => this.#native.sign(message));
  }

  signSync(message: Uint8Array): Uint8Array {
    return call(() => this.#native.signSync(message));
  }
}

/** Whether `signature` signs `message` under `publicKey`. */
export function blsVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return callAsync(() => native.blsVerify(publicKey, message, signature));
}

export function blsVerifySync(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return call(() => native.blsVerifySync(publicKey, message, signature));
}

/** PopVerify: a registry admits a key only when this is true (the rogue-key defence). */
export function blsVerifyPossession(publicKey: Uint8Array, proofOfPossession: Uint8Array): Promise<boolean> {
  return callAsync(() => native.blsVerifyPossession(publicKey, proofOfPossession));
}

export function blsVerifyPossessionSync(publicKey: Uint8Array, proofOfPossession: Uint8Array): boolean {
  return call(() => native.blsVerifyPossessionSync(publicKey, proofOfPossession));
}

/** The sum of `signatures`; an empty list is NEWTON_ERR_INVALID_ARGUMENT. */
export function blsAggregateSignatures(signatures: Uint8Array[]): Promise<Uint8Array> {
  return callAsync(() => native.blsAggregateSignatures(signatures));
}

export function blsAggregateSignaturesSync(signatures: Uint8Array[]): Uint8Array {
  return call(() => native.blsAggregateSignaturesSync(signatures));
}

/** The sum of `publicKeys`; empty is NEWTON_ERR_INVALID_ARGUMENT, a sum at infinity NEWTON_ERR_BLS_KEY_INVALID. */
export function blsAggregatePublicKeys(publicKeys: Uint8Array[]): Promise<Uint8Array> {
  return callAsync(() => native.blsAggregatePublicKeys(publicKeys));
}

export function blsAggregatePublicKeysSync(publicKeys: Uint8Array[]): Uint8Array {
  return call(() => native.blsAggregatePublicKeysSync(publicKeys));
}

/**
 * FastAggregateVerify: whether `signature` is every key signing the same `message` (false for
 * no keys). Sound only over keys whose proof of possession verified.
 */
export function blsFastAggregateVerify(publicKeys: Uint8Array[], message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return callAsync(() => native.blsFastAggregateVerify(publicKeys, message, signature));
}

export function blsFastAggregateVerifySync(publicKeys: Uint8Array[], message: Uint8Array, signature: Uint8Array): boolean {
  return call(() => native.blsFastAggregateVerifySync(publicKeys, message, signature));
}

/**
 * AggregateVerify: whether `signature` is `publicKeys[i]` signing `messages[i]` for every i.
 * False for no keys, mismatched lengths or a repeated message.
 */
export function blsAggregateVerify(publicKeys: Uint8Array[], messages: Uint8Array[], signature: Uint8Array): Promise<boolean> {
  return callAsync(() => native.blsAggregateVerify(publicKeys, messages, signature));
}

export function blsAggregateVerifySync(publicKeys: Uint8Array[], messages: Uint8Array[], signature: Uint8Array): boolean {
  return call(() => native.blsAggregateVerifySync(publicKeys, messages, signature));
}

/**
 * Verifies many independent signatures at once (random-scalar linear combination): true only
 * if every item verifies; false for an empty batch.
 */
export function blsBatchVerify(items: BatchItem[]): Promise<boolean> {
  return callAsync(() => native.blsBatchVerify(items));
}

export function blsBatchVerifySync(items: BatchItem[]): boolean {
  return call(() => native.blsBatchVerifySync(items));
}
