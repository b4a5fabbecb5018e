// Privacy and secrets through RPC: identity uploads (owner-signed; the gateway's registration
// signature), confidential publishes, links and grants with the privacy store's EIP-712
// authorizations, secrets stored by the client's owner only and checked against the schema
// without echoing values, and the PolicyData dry runs that use them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverTypedDataAddress, zeroAddress, type Hex, type PrivateKeyAccount } from 'viem';
import { domainId, envelopeDataRefId, sealEnvelope, signPrivacyAuthorization, type PrivacyMessage, type PrivacyMessageType } from '../bindings/dist/index.js';
import { createApiKey } from '../server/dist/index.js';
import * as wat from './helpers/policy-data-wat.js';
import { OTHER, OWNER, ok, openGateway, type TestGateway } from './fixtures/gateway/harness.js';
import { CHAIN_ID, CLIENT, registerClient } from './fixtures/gateway/registry.js';

let t: TestGateway;
let privacyKey: string;
let secretsKey: string;
beforeAll(async () => {
  t = await openGateway();
  privacyKey = (await ok(t, 'newt_getPrivacyPublicKey', {})).public_key;
  secretsKey = (await ok(t, 'newt_getSecretsPublicKey', {})).public_key;
  const policy = await ok(t, 'newton_publishPolicy', { owner: OWNER.address, policy: 'package p\nimport rego.v1\ndefault allow := true\n', entrypoint: 'p.allow' });
  await registerClient(t, policy.policy_address, { max_amount: 1 });
});
afterAll(() => t.close());

const deadline = () => Math.floor(Date.now() / 1000) + 600;

async function sign(account: PrivateKeyAccount, type: PrivacyMessageType, message: PrivacyMessage) {
  const { privacy_nonce: nonce } = await ok(t, 'newton_getNonce', { signer: account.address });
  return signPrivacyAuthorization(account, type, message, { chainId: CHAIN_ID, nonce, deadline: deadline() });
}

describe('identity', () => {
  it('uploads an owner-signed envelope, returns its data_ref_id and the gateway signature, and serves it back', async () => {
    const envelope = await sealEnvelope({ status: 'approved' }, { recipientPublicKey: privacyKey, policyClient: OWNER.address, chainId: CHAIN_ID });
    const ref = envelopeDataRefId(envelope);
    const auth = await sign(OWNER, 'UploadIdentity', { identityOwner: OWNER.address, identityDomain: domainId('kyc'), dataRefId: ref });
    const params = { identity_owner: OWNER.address, identity_owner_sig: auth.signature.slice(2), envelope, identity_domain: domainId('kyc'), chain_id: '0x00aa36a7', deadline: auth.deadline };
    const uploaded = await ok(t, 'newt_uploadIdentityEncrypted', params);
    expect(uploaded.data_ref_id).toBe(ref);
    expect(uploaded.deadline).toBe(auth.deadline);
    const signer = await recoverTypedDataAddress({
      domain: { name: 'IdentityRegistry', version: '1', chainId: BigInt(CHAIN_ID), verifyingContract: zeroAddress },
      types: { registerIdentityData: [{ name: 'identityOwner', type: 'address' }, { name: 'identityDomain', type: 'bytes32' }, { name: 'dataRefId', type: 'string' }, { name: 'deadline', type: 'uint256' }] },
      primaryType: 'registerIdentityData',
      message: { identityOwner: OWNER.address, identityDomain: domainId('kyc'), dataRefId: ref, deadline: BigInt(auth.deadline) },
      signature: uploaded.gateway_signature,
    });
    expect(signer).toBe(t.gateway.account.address);

    const got = await ok(t, 'newt_getIdentityEncrypted', { data_ref_id: ref.slice(2) });
    expect(typeof got.envelope).toBe('string');
    expect(got).toMatchObject({ envelope, identity_domain: domainId('kyc'), identity_owner: OWNER.address.toLowerCase() });

    // Replaying the upload: its nonce is spent.
    const replay = await t.rpc('newt_uploadIdentityEncrypted', { ...params, nonce: auth.nonce });
    expect(replay.body.error).toMatchObject({ code: -32002, data: { code: 'NEWTON_ERR_PRIVACY_UNAUTHORIZED' } });
  });

  it('refuses an upload signed by someone else, an unknown domain id and a missing deadline', async () => {
    const envelope = await sealEnvelope({ status: 'approved' }, { recipientPublicKey: privacyKey, policyClient: OWNER.address, chainId: CHAIN_ID });
    const auth = await sign(OTHER, 'UploadIdentity', { identityOwner: OWNER.address, identityDomain: domainId('kyc'), dataRefId: envelopeDataRefId(envelope) });
    const base = { identity_owner: OWNER.address, identity_owner_sig: auth.signature, envelope, identity_domain: 'kyc', deadline: auth.deadline };
    expect((await t.rpc('newt_uploadIdentityEncrypted', base)).body.error.data.code).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    expect((await t.rpc('newt_uploadIdentityEncrypted', { ...base, identity_domain: `0x${'12'.repeat(32)}` })).body.error.message).toContain('not a known domain id');
    expect((await t.rpc('newt_uploadIdentityEncrypted', { ...base, deadline: null })).body.error.code).toBe(-32602);
  });

  it('links and unlinks a domain for the client user', async () => {
    const link = { identity_owner: OWNER.address, policy_client: CLIENT, client_user: OWNER.address, domains: ['kyc'] };
    const message = { identityOwner: OWNER.address, policyClient: CLIENT, clientUser: OWNER.address, identityDomains: [domainId('kyc')] };
    expect(await ok(t, 'newton_linkIdentity', { ...link, owner_authorization: await sign(OWNER, 'LinkIdentity', message), user_authorization: null })).toEqual({ success: true });
    expect(await t.gateway.privacyStore.linkedIdentity(CLIENT, OWNER.address)).toHaveLength(1);
    expect(await ok(t, 'newton_unlinkIdentity', { ...link, authorization: await sign(OWNER, 'UnlinkIdentity', message) })).toEqual({ success: true });
    expect(await t.gateway.privacyStore.linkedIdentity(CLIENT, OWNER.address)).toHaveLength(0);
  });
});

describe('confidential data', () => {
  it('publishes a provider-signed envelope, serves it back, and runs the two-step grant and its revocation', async () => {
    const domain = 'newton.privacy.blacklist';
    const envelope = await sealEnvelope({ addresses: ['0xdead'] }, { recipientPublicKey: privacyKey, policyClient: OTHER.address, chainId: CHAIN_ID });
    const ref = envelopeDataRefId(envelope);
    const auth = await sign(OTHER, 'PublishData', { provider: OTHER.address, domain: domainId(domain), dataRefId: ref });
    const published = await ok(t, 'newt_uploadConfidentialData', { provider: OTHER.address, domain: domainId(domain), envelope, chain_id: CHAIN_ID, signature: auth.signature, deadline: auth.deadline, nonce: null });
    expect(published).toEqual({ success: true, data_ref_id: ref, version: 1, error: null });
    expect(await ok(t, 'newt_getConfidentialData', { data_ref_id: ref })).toMatchObject({ envelope, domain: domainId(domain), provider: OTHER.address.toLowerCase(), data_type: 'confidential' });

    const grant = { provider: OTHER.address, domain: domainId(domain), policyClient: CLIENT };
    const wire = { provider: OTHER.address, domain, policy_client: CLIENT };
    expect(await ok(t, 'newton_proposeGrant', { ...wire, authorization: await sign(OTHER, 'ProposeGrant', grant) })).toMatchObject({ state: 'pending' });
    const wrongAccept = await t.rpc('newton_acceptGrant', { ...wire, authorization: await sign(OTHER, 'AcceptGrant', { policyClientOwner: OTHER.address, ...grant }) });
    expect(wrongAccept.body.error.data.code).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    expect(await ok(t, 'newton_acceptGrant', { ...wire, authorization: await sign(OWNER, 'AcceptGrant', { policyClientOwner: OWNER.address, ...grant }) })).toMatchObject({ state: 'active' });
    expect((await t.gateway.privacyStore.grants(CLIENT))[0]).toMatchObject({ state: 'active' });
    expect(await ok(t, 'newton_revokeGrant', { ...wire, authorization: await sign(OTHER, 'RevokeGrant', grant) })).toMatchObject({ state: 'revoked' });
    expect((await t.gateway.privacyStore.grants(CLIENT))[0]).toMatchObject({ state: 'revoked' });
  });

  it('reads of unknown data refs are errors with the privacy code', async () => {
    const { body } = await t.rpc('newt_getConfidentialData', { data_ref_id: `0x${'00'.repeat(32)}` });
    expect(body.error.data.code).toBe('NEWTON_ERR_PRIVACY_UNKNOWN_DATA_REF');
  });
});

describe('secrets', () => {
  let oracle: Hex;
  beforeAll(async () => {
    const wasm = await wat.readingSecrets();
    const schema = { type: 'object', required: ['api_key'], properties: { api_key: { type: 'string', minLength: 8 } } };
    oracle = (await ok(t, 'newton_publishPolicyData', { owner: OWNER.address, wasm_base64: Buffer.from(wasm).toString('base64'), expire_after: 10, secrets_schema: schema })).policy_data_address;
  });
  const seal = (secrets: object, policyClient: string = CLIENT) => sealEnvelope(secrets, { recipientPublicKey: secretsKey, policyClient, chainId: CHAIN_ID });

  it("stores the client owner's secrets, checks the schema without echoing values, and PolicyData runs see them", async () => {
    const stored = await ok(t, 'newt_storeEncryptedSecrets', { policy_client: CLIENT, policy_data_address: oracle, envelope: await seal({ api_key: 'sk-very-secret' }), chain_id: CHAIN_ID });
    expect(stored).toMatchObject({ success: true, error: null, schema: { required: ['api_key'] } });

    const bad = await t.rpc('newt_storeEncryptedSecrets', { policy_client: CLIENT, policy_data_address: oracle, envelope: await seal({ api_key: 'short!' }) });
    expect(bad.body.error.data).toMatchObject({ code: 'NEWTON_ERR_POLICY_DATA_SECRETS_SCHEMA_VIOLATION', details: { violations: [{ path: '/api_key' }] } });
    expect(JSON.stringify(bad.body)).not.toContain('short!');

    const run = await ok(t, 'newt_simulatePolicyDataWithClient', { policy_data_address: oracle, policy_client: CLIENT, wasm_args: null });
    expect(run).toMatchObject({ success: true, policy_data: { data: { api_key: 'sk-very-secret' } }, error: null });
  });

  it('refuses secrets for a client the key does not own, bound to another client, or with a key without an owner', async () => {
    const otherKey = (await createApiKey(t.gateway.store, { permissions: ['read', 'write'], owner: OTHER.address })).key;
    const params = { policy_client: CLIENT, policy_data_address: oracle, envelope: await seal({ api_key: 'sk-very-secret' }) };
    const notOwner = await t.rpc('newt_storeEncryptedSecrets', params, { key: otherKey });
    expect(notOwner).toMatchObject({ status: 403, body: { error: { code: -32002 } } });
    expect(notOwner.body.error.message).toContain('owned by another user');
    const noOwner = (await createApiKey(t.gateway.store, { permissions: ['read', 'write'] })).key;
    expect((await t.rpc('newt_storeEncryptedSecrets', params, { key: noOwner })).body.error.message).toContain('has no owner');
    expect((await t.rpc('newt_simulatePolicyDataWithClient', { policy_data_address: oracle, policy_client: CLIENT }, { key: otherKey })).status).toBe(403);
    const elsewhere = await t.rpc('newt_storeEncryptedSecrets', { ...params, envelope: await seal({ api_key: 'sk-very-secret' }, OWNER.address) });
    expect(elsewhere.body.error.data.code).toBe('NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH');
  });

  it('newt_simulatePolicyData runs with secrets sealed in the request', async () => {
    const envelope = await seal({ api_key: 'sk-inline-secret' });
    const run = await ok(t, 'newt_simulatePolicyData', { policy_data_address: oracle, secrets: Buffer.from(envelope).toString('base64'), wasm_args: null, chain_id: '0xaa36a7' });
    expect(run.policy_data).toMatchObject({ data: { api_key: 'sk-inline-secret' } });
    expect(run.policy_data.specifier).toMatch(/^bafkrei/);
  });
});
