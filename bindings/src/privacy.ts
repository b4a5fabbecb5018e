// The privacy layer: HPKE envelopes (RFC 9180 Base, X25519 + HKDF-SHA256 + ChaCha20-Poly1305)
// bound to a policy client and chain, an operator's keyring (PrivacyNode), and the store behind the
// identity and confidential lifecycles (PrivacyStore). Seal/open run in Rust (≈50–100 µs each, so
// async forms run on the libuv pool); plaintext crosses as bytes, envelopes as JSON strings.
import { call, callAsync } from './errors.js';
import { toJson } from './json.js';
import { native, type NativePrivacyNode, type NativePrivacyStore } from './native.js';
import type { LocalAccount } from 'viem';
import {
  signPrivacyAuthorization,
  type Authorization,
  type PrivacyMessage,
  type PrivacyMessageType,
} from './privacy-authorization.js';

import type { Hex } from './bls.js';
export const PRIVACY_SUITE = 'HPKE-Base-X25519-HKDF-SHA256-ChaCha20Poly1305';

/** An X25519 key pair, 0x-hex (envelopes carry the public key without `0x` as `recipient_pubkey`). */
export interface PrivacyKeyPair {
  publicKey: Hex;
  secretKey: Hex;
}

/** Who an envelope is for: the recipient key, and the (policy client, chain) its AAD binds it to. */
export interface EnvelopeBinding {
  recipientPublicKey: string;
  /** The task's policy client (ephemeral), the identity owner (identity) or the provider (confidential). */
  policyClient: string;
  chainId: number | bigint | string;
}

/** Text is UTF-8 encoded; objects are JSON-serialized. */
export type Plaintext = string | Uint8Array | object;

const toBytes = (p: Plaintext): Uint8Array =>
  p instanceof Uint8Array ? p : Buffer.from(toJson(p), 'utf8');
const sealArgs = (p: Plaintext, b: EnvelopeBinding) =>
  [toBytes(p), b.recipientPublicKey, b.policyClient, String(b.chainId)] as const;

export function generatePrivacyKey(): PrivacyKeyPair {
  return native.generatePrivacyKey() as PrivacyKeyPair;
}

/** Keys are taken with or without `0x`; results are 0x-hex. */
export function privacyPublicKey(secretKey: string): Hex {
  return call(() => native.privacyPublicKey(secretKey)) as Hex;
}

/** Seals on the libuv pool; resolves to the SecureEnvelope JSON. */
export function sealEnvelope(plaintext: Plaintext, binding: EnvelopeBinding): Promise<string> {
  return callAsync(() => native.sealEnvelope(...sealArgs(plaintext, binding)));
}

export function sealEnvelopeSync(plaintext: Plaintext, binding: EnvelopeBinding): string {
  return call(() => native.sealEnvelopeSync(...sealArgs(plaintext, binding)));
}

/** Opens with one secret key; it derives the key pair per call, so reuse a PrivacyNode on hot paths. */
export function openEnvelope(envelope: string | object, secretKey: string): Promise<Uint8Array> {
  return new PrivacyNode({ secretKeys: [secretKey] }).open(envelope);
}

export function openEnvelopeSync(envelope: string | object, secretKey: string): Uint8Array {
  return new PrivacyNode({ secretKeys: [secretKey] }).openSync(envelope);
}

/** `keccak256` of the envelope's exact bytes: its `data_ref_id` in the store. */
export function envelopeDataRefId(envelope: string): Hex {
  return native.envelopeDataRefId(envelope) as Hex;
}

/** An operator's privacy side: its keys (the first is current) and, optionally, the store. */
export class PrivacyNode {
  readonly #native: NativePrivacyNode;

  constructor(options: { secretKeys: string[]; store?: PrivacyStore }) {
    this.#native = call(() => new native.PrivacyNode(options.secretKeys, options.store?.native));
  }

  /** The current key's public half, hex: what `newt_getPrivacyPublicKey` publishes. */
  get publicKey(): Hex {
    return this.#native.publicKey as Hex;
  }

  /** Makes `secretKey` current; envelopes sealed to older keys still open until retired. */
  rotate(secretKey: string): void {
    call(() => this.#native.rotate(secretKey));
  }

  /** Forgets an older key: its envelopes then fail with NEWTON_ERR_PRIVACY_KEY_RETIRED. */
  retire(publicKey: string): void {
    call(() => this.#native.retire(publicKey));
  }

  open(envelope: string | object): Promise<Uint8Array> {
    return callAsync(() => this.#native.open(toJson(envelope)));
  }

  openSync(envelope: string | object): Uint8Array {
    return call(() => this.#native.openSync(toJson(envelope)));
  }

  /** @internal the addon handle, for TaskEvaluator. */
  get native(): NativePrivacyNode {
    return this.#native;
  }
}

export interface IdentityLink {
  owner: string;
  policyClient: string;
  user: string;
  /** Identity domain names, e.g. `['kyc']`. */
  domains: string[];
}

export interface LinkedIdentity {
  domain: string;
  owner: Hex;
  data_ref_id: Hex;
}

export interface DataVersion {
  domain: string;
  provider: Hex;
  version: number;
  data_ref_id: Hex;
}

export interface Grant {
  provider: Hex;
  domain: string;
  state: 'pending' | 'active' | 'revoked';
  latest: DataVersion | null;
}

export interface StoredEnvelope {
  kind: 'identity' | 'confidential';
  owner: Hex;
  envelope: string;
}

/** A confidential grant step's arguments. */
export interface GrantArgs {
  provider: string;
  domain: string;
  policyClient: string;
  authorization: Authorization;
}

/**
 * The identity/confidential store of one chain, in a SQLite file or in a PostgreSQL database that
 * several gateways share (it only ever holds ciphertext). Every write carries the EIP-712
 * authorization of its party (see signPrivacyAuthorization) and runs off the event loop.
 */
export class PrivacyStore {
  readonly #native: NativePrivacyStore;

  private constructor(handle: NativePrivacyStore) {
    this.#native = handle;
  }

  /**
   * Opens (creating if needed) the store for `chainId`: a `postgres://` or `postgresql://` URL
   * (`postgres://user:password@host:port/database`, no TLS) puts it in that database, in tables
   * named `privacy_*` beside the gateway's own; anything else is a SQLite file path. A store for
   * another chain, or from a newer newton-engine, is refused (NEWTON_ERR_STORE).
   */
  static async open(pathOrUrl: string, chainId: number | bigint | string): Promise<PrivacyStore> {
    return new PrivacyStore(await callAsync(() => native.PrivacyStore.open(pathOrUrl, String(chainId))));
  }

  get chainId(): string {
    return this.#native.chainId;
  }

  /** The nonce `signer`'s next authorization must carry. */
  nonce(signer: string): Promise<number> {
    return callAsync(() => this.#native.nonce(signer));
  }

  /**
   * Signs `message` as `account` for this store: its chain, the account's next nonce, and a
   * deadline `ttlSeconds` (default 3600) from now. Message fields name domains by id (`domainId`).
   */
  async authorize(
    account: LocalAccount,
    type: PrivacyMessageType,
    message: PrivacyMessage,
    options: { ttlSeconds?: number } = {},
  ): Promise<Authorization> {
    const deadline = Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 3600);
    const nonce = await this.nonce(account.address);
    return signPrivacyAuthorization(account, type, message, { chainId: this.chainId, nonce, deadline });
  }

  async envelope(dataRefId: string): Promise<StoredEnvelope> {
    return JSON.parse(await callAsync(() => this.#native.envelope(dataRefId))) as StoredEnvelope;
  }

  /** The local stand-in for the policy client contract's `getOwner()`: who accepts grants for it. */
  setPolicyClientOwner(policyClient: string, owner: string): Promise<void> {
    return callAsync(() => this.#native.setPolicyClientOwner(policyClient, owner));
  }

  /** Stores the owner's identity envelope for `domain`; resolves to its `data_ref_id`. */
  async uploadIdentity(args: { owner: string; domain: string; envelope: string; authorization: Authorization }): Promise<Hex> {
    const { owner, domain, envelope, authorization } = args;
    return (await callAsync(() => this.#native.uploadIdentity(owner, domain, envelope, JSON.stringify(authorization)))) as Hex;
  }

  /** Links identity domains for a policy client's user: the owner signs; a user other than the owner signs too. */
  linkIdentity(link: IdentityLink, ownerAuthorization: Authorization, userAuthorization?: Authorization): Promise<void> {
    return callAsync(() => this.#native.linkIdentity(JSON.stringify(link), JSON.stringify(ownerAuthorization), userAuthorization && JSON.stringify(userAuthorization)));
  }

  /** Removes links; signed by the owner or the user. */
  unlinkIdentity(link: IdentityLink, authorization: Authorization): Promise<void> {
    return callAsync(() => this.#native.unlinkIdentity(JSON.stringify(link), JSON.stringify(authorization)));
  }

  async linkedIdentity(policyClient: string, user: string): Promise<LinkedIdentity[]> {
    return JSON.parse(await callAsync(() => this.#native.linkedIdentity(policyClient, user))) as LinkedIdentity[];
  }

  /** Publishes a new version of the provider's dataset for `domain`. */
  async publishConfidential(args: { provider: string; domain: string; envelope: string; authorization: Authorization }): Promise<DataVersion> {
    const { provider, domain, envelope, authorization } = args;
    return JSON.parse(await callAsync(() => this.#native.publishConfidential(provider, domain, envelope, JSON.stringify(authorization)))) as DataVersion;
  }

  /** Step one of a grant (signed by the provider). */
  proposeGrant(args: GrantArgs): Promise<void> {
    return this.#grant('propose', args);
  }

  /** Step two (signed by the policy client's owner). */
  acceptGrant(args: GrantArgs): Promise<void> {
    return this.#grant('accept', args);
  }

  /** Revokes a pending or accepted grant (signed by the provider). */
  revokeGrant(args: GrantArgs): Promise<void> {
    return this.#grant('revoke', args);
  }

  async grants(policyClient: string): Promise<Grant[]> {
    return JSON.parse(await callAsync(() => this.#native.grants(policyClient))) as Grant[];
  }

  async versions(provider: string, domain: string): Promise<DataVersion[]> {
    return JSON.parse(await callAsync(() => this.#native.versions(provider, domain))) as DataVersion[];
  }

  /** @internal the addon handle, for PrivacyNode. */
  get native(): NativePrivacyStore {
    return this.#native;
  }

  #grant(step: string, { provider, domain, policyClient, authorization }: GrantArgs): Promise<void> {
    return callAsync(() => this.#native.grant(step, provider, domain, policyClient, JSON.stringify(authorization)));
  }
}
