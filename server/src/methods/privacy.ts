// Privacy methods: the gateway's public keys, encrypted identity and confidential data uploads and
// reads (newt_*), and the registries' link/unlink and grant steps (newton_* extensions). Every
// write carries its party's EIP-712 authorization, which the privacy store verifies.
import { Type } from '@sinclair/typebox';
import { PRIVACY_SUITE, domainId, envelopeDataRefId, type Hex, type PrivacyNode } from 'newton-engine';
import { zeroAddress } from 'viem';
import type { Gateway } from '../gateway.js';
import { invalidParams, notFound } from '../rpc/errors.js';
import { address, bytes32, hexBytes, quantity } from '../rpc/hex.js';
import { method, type Method } from '../rpc/method.js';
import { Address, HexText, NoParams, Opt, Quantity } from '../rpc/types.js';
import { AuthorizationParam, FlatSignature, authorization, domainName, envelopeText } from './authorization.js';

const publicKey = (node: PrivacyNode) => ({
  public_key: node.publicKey,
  key_type: 'x25519',
  encryption_suite: PRIVACY_SUITE,
});

function checkChain(gateway: Gateway, chainId: unknown): void {
  if (chainId === undefined || chainId === null) return;
  if (quantity(chainId, 'chain_id') !== BigInt(gateway.clock.chainId)) {
    throw invalidParams(`chain_id ${String(chainId)} is not this gateway's chain (${gateway.clock.chainId})`);
  }
}

/** The nonce a flat signature carries: given, or the signer's next one in the privacy store. */
const nonceOf = async (gateway: Gateway, signer: Hex, nonce: number | null | undefined) => nonce ?? (await gateway.privacyStore.nonce(signer));

/** IdentityRegistry's `registerIdentityData` authorization, signed by the gateway (Newton's task generator). */
async function gatewaySignature(gateway: Gateway, owner: Hex, domain: string, dataRefId: Hex, deadline: number): Promise<Hex> {
  return gateway.account.signTypedData({
    domain: { name: 'IdentityRegistry', version: '1', chainId: BigInt(gateway.clock.chainId), verifyingContract: zeroAddress },
    types: {
      registerIdentityData: [
        { name: 'identityOwner', type: 'address' },
        { name: 'identityDomain', type: 'bytes32' },
        { name: 'dataRefId', type: 'string' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'registerIdentityData',
    message: { identityOwner: owner, identityDomain: domainId(domain), dataRefId, deadline: BigInt(deadline) },
  });
}

const Link = {
  identity_owner: Address,
  policy_client: Address,
  client_user: Address,
  domains: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 50 }),
};
const linkOf = (p: { identity_owner: string; policy_client: string; client_user: string; domains: string[] }) => ({
  owner: address(p.identity_owner, 'identity_owner'),
  policyClient: address(p.policy_client, 'policy_client'),
  user: address(p.client_user, 'client_user'),
  domains: p.domains.map((d, i) => domainName(d, `domains[${i}]`)),
});

const Grant = { provider: Address, domain: Type.String(), policy_client: Address, authorization: AuthorizationParam };
const grantOf = (p: { provider: string; domain: string; policy_client: string; authorization: Parameters<typeof authorization>[0] }) => ({
  provider: address(p.provider, 'provider'),
  domain: domainName(p.domain, 'domain'),
  policyClient: address(p.policy_client, 'policy_client'),
  authorization: authorization(p.authorization, 'authorization'),
});

export const privacyMethods: Method[] = [
  method('newt_getPrivacyPublicKey', 'read', NoParams, async (_, { gateway }) => publicKey(gateway.privacyNode)),
  method('newt_getSecretsPublicKey', 'read', NoParams, async (_, { gateway }) => publicKey(gateway.secretsNode)),

  method(
    'newt_uploadIdentityEncrypted',
    'write',
    Type.Object({ identity_owner: Address, identity_owner_sig: HexText, envelope: Type.Unknown(), identity_domain: Type.String(), chain_id: Opt(Quantity), ...FlatSignature }),
    async (p, { gateway }) => {
      checkChain(gateway, p.chain_id);
      const owner = address(p.identity_owner, 'identity_owner');
      const domain = domainName(p.identity_domain, 'identity_domain');
      const envelope = envelopeText(p.envelope);
      const auth = { signer: owner, nonce: await nonceOf(gateway, owner, p.nonce), deadline: p.deadline, signature: hexBytes(p.identity_owner_sig, 65, 'identity_owner_sig') };
      const dataRefId = await gateway.privacyStore.uploadIdentity({ owner, domain, envelope, authorization: auth });
      await gateway.store.putDataRefDomain(dataRefId, domain);
      return { data_ref_id: dataRefId, gateway_signature: await gatewaySignature(gateway, owner, domain, dataRefId, p.deadline), deadline: p.deadline };
    },
  ),
  method('newt_getIdentityEncrypted', 'read', Type.Object({ data_ref_id: HexText }), async (p, { gateway }) => {
    const ref = bytes32(p.data_ref_id, 'data_ref_id');
    const stored = await gateway.privacyStore.envelope(ref);
    if (stored.kind !== 'identity') throw notFound(`no identity data with data_ref_id ${ref}`);
    const domain = await gateway.store.dataRefDomain(ref);
    return { envelope: stored.envelope, identity_domain: domain && domainId(domain), identity_domain_name: domain, identity_owner: stored.owner };
  }),

  method(
    'newt_uploadConfidentialData',
    'write',
    Type.Object({ provider: Address, domain: Type.String(), envelope: Type.Unknown(), chain_id: Opt(Quantity), signature: HexText, ...FlatSignature }),
    async (p, { gateway }) => {
      checkChain(gateway, p.chain_id);
      const provider = address(p.provider, 'provider');
      const domain = domainName(p.domain, 'domain');
      const envelope = envelopeText(p.envelope);
      const auth = { signer: provider, nonce: await nonceOf(gateway, provider, p.nonce), deadline: p.deadline, signature: hexBytes(p.signature, 65, 'signature') };
      const published = await gateway.privacyStore.publishConfidential({ provider, domain, envelope, authorization: auth });
      await gateway.store.putDataRefDomain(published.data_ref_id, domain);
      return { success: true, data_ref_id: published.data_ref_id, version: published.version, error: null };
    },
  ),
  method('newt_getConfidentialData', 'read', Type.Object({ data_ref_id: HexText }), async (p, { gateway }) => {
    const ref = bytes32(p.data_ref_id, 'data_ref_id');
    const stored = await gateway.privacyStore.envelope(ref);
    if (stored.kind !== 'confidential') throw notFound(`no confidential data with data_ref_id ${ref}`);
    const domain = await gateway.store.dataRefDomain(ref);
    return { envelope: stored.envelope, domain: domain && domainId(domain), domain_name: domain, provider: stored.owner, data_type: 'confidential' };
  }),

  method('newton_linkIdentity', 'write', Type.Object({ ...Link, owner_authorization: AuthorizationParam, user_authorization: Opt(AuthorizationParam) }), async (p, { gateway }) => {
    const user = p.user_authorization ? authorization(p.user_authorization, 'user_authorization') : undefined;
    await gateway.privacyStore.linkIdentity(linkOf(p), authorization(p.owner_authorization, 'owner_authorization'), user);
    return { success: true };
  }),
  method('newton_unlinkIdentity', 'write', Type.Object({ ...Link, authorization: AuthorizationParam }), async (p, { gateway }) => {
    await gateway.privacyStore.unlinkIdentity(linkOf(p), authorization(p.authorization, 'authorization'));
    return { success: true };
  }),
  method('newton_proposeGrant', 'write', Type.Object(Grant), async (p, { gateway }) => {
    await gateway.privacyStore.proposeGrant(grantOf(p));
    return { success: true, state: 'pending' };
  }),
  method('newton_acceptGrant', 'write', Type.Object(Grant), async (p, { gateway }) => {
    await gateway.privacyStore.acceptGrant(grantOf(p));
    return { success: true, state: 'active' };
  }),
  method('newton_revokeGrant', 'write', Type.Object(Grant), async (p, { gateway }) => {
    await gateway.privacyStore.revokeGrant(grantOf(p));
    return { success: true, state: 'revoked' };
  }),
];
