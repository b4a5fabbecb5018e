// Two gateways on one PostgreSQL database (and one keys file) share the privacy store: an identity
// uploaded through one is read through the other, its nonce is spent for both, it is linked
// through the other and opens for a private task that gateway's operators run; a grant proposed
// through one is accepted through the other and its revocation holds on both.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrivateKeyAccount } from 'viem';
import { domainId, envelopeDataRefId, sealEnvelope, signPrivacyAuthorization, type PrivacyMessage, type PrivacyMessageType } from '../bindings/dist/index.js';
import { OTHER, OWNER, freshDatabase, ok, openGateway, tempDir, type TestGateway } from './fixtures/gateway/harness.js';
import { CHAIN_ID, CLIENT, registerClient, transferIntent } from './fixtures/gateway/registry.js';

let a: TestGateway;
let b: TestGateway;
let privacyKey: string;
beforeAll(async () => {
  const database = await freshDatabase();
  const keysFile = path.join(tempDir('keys'), 'gateway-keys.json');
  a = await openGateway({ database, keysFile });
  b = await openGateway({ database, keysFile, operators: 1 });
  privacyKey = (await ok(a, 'newt_getPrivacyPublicKey', {})).public_key;
  const kyc = 'package p\nimport rego.v1\ndefault allow := false\nallow if newton.identity.kyc.check_approved()\n';
  const policy = await ok(a, 'newton_publishPolicy', { owner: OWNER.address, policy: kyc, entrypoint: 'p.allow' });
  await registerClient(a, policy.policy_address, { max_amount: 1 }); // records OWNER as the client's owner in the privacy store
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

/** `account`'s authorization, with the nonce `t` reports for it. */
async function sign(t: TestGateway, account: PrivateKeyAccount, type: PrivacyMessageType, message: PrivacyMessage) {
  const { privacy_nonce: nonce } = await ok(t, 'newton_getNonce', { signer: account.address });
  return signPrivacyAuthorization(account, type, message, { chainId: CHAIN_ID, nonce, deadline: Math.floor(Date.now() / 1000) + 600 });
}

/** The last byte of a task's evaluation result on `t`: 1 allowed, 0 denied. */
async function taskAllows(t: TestGateway): Promise<boolean> {
  const result = await ok(t, 'newt_createTask', { policy_client: CLIENT, intent: transferIntent(1n) });
  expect(result.status).toBe('success');
  return result.task_response.evaluation_result.at(-1) === 1;
}

describe('privacy store shared by two gateways on one database', () => {
  it('keeps it in the database, not in either data directory', async () => {
    expect((await ok(b, 'newt_getPrivacyPublicKey', {})).public_key).toBe(privacyKey);
    expect(fs.existsSync(path.join(a.dir, 'privacy.db'))).toBe(false);
    expect(fs.existsSync(path.join(b.dir, 'privacy.db'))).toBe(false);
  });

  it('an identity uploaded through one is read, replay-refused, linked and used for a private task through the other', async () => {
    expect(await taskAllows(b)).toBe(false); // nothing linked yet

    const envelope = await sealEnvelope({ status: 'approved' }, { recipientPublicKey: privacyKey, policyClient: OWNER.address, chainId: CHAIN_ID });
    const ref = envelopeDataRefId(envelope);
    const auth = await sign(a, OWNER, 'UploadIdentity', { identityOwner: OWNER.address, identityDomain: domainId('kyc'), dataRefId: ref });
    const params = { identity_owner: OWNER.address, identity_owner_sig: auth.signature, envelope, identity_domain: domainId('kyc'), deadline: auth.deadline, nonce: auth.nonce };
    expect((await ok(a, 'newt_uploadIdentityEncrypted', params)).data_ref_id).toBe(ref);

    expect(await ok(b, 'newt_getIdentityEncrypted', { data_ref_id: ref })).toMatchObject({ envelope, identity_owner: OWNER.address.toLowerCase() });
    expect((await ok(b, 'newton_getNonce', { signer: OWNER.address })).privacy_nonce).toBe(auth.nonce + 1);
    const replay = await b.rpc('newt_uploadIdentityEncrypted', params);
    expect(replay.body.error.data.code).toBe('NEWTON_ERR_PRIVACY_UNAUTHORIZED');

    const message = { identityOwner: OWNER.address, policyClient: CLIENT, clientUser: OWNER.address, identityDomains: [domainId('kyc')] };
    const link = { identity_owner: OWNER.address, policy_client: CLIENT, client_user: OWNER.address, domains: ['kyc'] };
    expect(await ok(b, 'newton_linkIdentity', { ...link, owner_authorization: await sign(b, OWNER, 'LinkIdentity', message), user_authorization: null })).toEqual({ success: true });
    expect(await a.gateway.privacyStore.linkedIdentity(CLIENT, OWNER.address)).toEqual([{ domain: 'kyc', owner: OWNER.address.toLowerCase(), data_ref_id: ref }]);

    expect(await taskAllows(b)).toBe(true);
  }, 60_000);

  it('a grant proposed through one is accepted through the other, and revoked for both', async () => {
    const domain = 'newton.privacy.blacklist';
    const envelope = await sealEnvelope({ addresses: ['0xdead'] }, { recipientPublicKey: privacyKey, policyClient: OTHER.address, chainId: CHAIN_ID });
    const ref = envelopeDataRefId(envelope);
    const auth = await sign(a, OTHER, 'PublishData', { provider: OTHER.address, domain: domainId(domain), dataRefId: ref });
    const published = await ok(a, 'newt_uploadConfidentialData', { provider: OTHER.address, domain: domainId(domain), envelope, chain_id: CHAIN_ID, signature: auth.signature, deadline: auth.deadline, nonce: null });
    expect(published).toMatchObject({ success: true, data_ref_id: ref, version: 1 });
    expect(await ok(b, 'newt_getConfidentialData', { data_ref_id: ref })).toMatchObject({ envelope, provider: OTHER.address.toLowerCase() });

    const grant = { provider: OTHER.address, domain: domainId(domain), policyClient: CLIENT };
    const wire = { provider: OTHER.address, domain, policy_client: CLIENT };
    expect(await ok(a, 'newton_proposeGrant', { ...wire, authorization: await sign(a, OTHER, 'ProposeGrant', grant) })).toMatchObject({ state: 'pending' });
    expect(await ok(b, 'newton_acceptGrant', { ...wire, authorization: await sign(b, OWNER, 'AcceptGrant', { policyClientOwner: OWNER.address, ...grant }) })).toMatchObject({ state: 'active' });
    expect((await a.gateway.privacyStore.grants(CLIENT))[0]).toMatchObject({ state: 'active', latest: { version: 1, data_ref_id: ref } });
    expect(await ok(b, 'newton_revokeGrant', { ...wire, authorization: await sign(b, OTHER, 'RevokeGrant', grant) })).toMatchObject({ state: 'revoked' });
    expect((await a.gateway.privacyStore.grants(CLIENT))[0]).toMatchObject({ state: 'revoked' });
  });
});
