// The privacy part of `npm start`: an operator key, a user's KYC data sealed on the client,
// uploaded and linked in a throwaway privacy store, a provider's blacklist granted in two steps,
// and one private evaluation that opens both in memory only.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  Policy, PolicyDataHost, PrivacyNode, PrivacyStore, TaskEvaluator, domainId, envelopeDataRefId, generatePrivacyKey, sealEnvelope, signPrivacyAuthorization,
} from '../bindings/dist/index.js';

const CHAIN = 11155111;
const root = new URL('..', import.meta.url).pathname;

export async function privacyTour() {
  console.log('\n== privacy: identity + confidential data, sealed to the operator and opened only to evaluate');
  const dir = mkdtempSync(join(tmpdir(), 'newton-tour-privacy-'));
  try {
    const operator = generatePrivacyKey();
    const store = await PrivacyStore.open(join(dir, 'privacy.db'), CHAIN);
    const node = new PrivacyNode({ secretKeys: [operator.secretKey], store });
    const [user, provider, clientOwner] = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()));
    const policyClient = `0x${'c1'.repeat(20)}`;
    const sign = async (who, type, message) =>
      signPrivacyAuthorization(who, type, message, { chainId: CHAIN, nonce: await store.nonce(who.address) });
    const seal = (data, boundTo) => sealEnvelope(data, { recipientPublicKey: node.publicKey, policyClient: boundTo, chainId: CHAIN });

    const kyc = await seal({ status: 'approved', birthdate: '1990-04-01', address_country_code: 'US', reference_date: '2026-11-25' }, user.address);
    await store.uploadIdentity({ owner: user.address, domain: 'kyc', envelope: kyc,
      authorization: await sign(user, 'UploadIdentity', { identityOwner: user.address, identityDomain: domainId('kyc'), dataRefId: envelopeDataRefId(kyc) }) });
    const link = { owner: user.address, policyClient, user: user.address, domains: ['kyc'] };
    await store.linkIdentity(link, await sign(user, 'LinkIdentity',
      { identityOwner: user.address, policyClient, clientUser: user.address, identityDomains: [domainId('kyc')] }));
    console.log(`   identity   sealed KYC uploaded as ${envelopeDataRefId(kyc).slice(0, 18)}… and linked for ${user.address.slice(0, 10)}…`);

    const list = await seal({ addresses: ['0x000000000000000000000000000000000000dEaD'] }, provider.address);
    const domain = 'newton.privacy.blacklist';
    const grant = { provider: provider.address, domain: domainId(domain), policyClient };
    await store.publishConfidential({ provider: provider.address, domain, envelope: list,
      authorization: await sign(provider, 'PublishData', { provider: provider.address, domain: domainId(domain), dataRefId: envelopeDataRefId(list) }) });
    await store.setPolicyClientOwner(policyClient, clientOwner.address);
    await store.proposeGrant({ provider: provider.address, domain, policyClient, authorization: await sign(provider, 'ProposeGrant', grant) });
    await store.acceptGrant({ provider: provider.address, domain, policyClient,
      authorization: await sign(clientOwner, 'AcceptGrant', { policyClientOwner: clientOwner.address, ...grant }) });
    console.log(`   confidential blacklist v1 published, proposed by the provider, accepted by the client's owner`);

    // The operator's dry run of the task: private data attached as at commit, nothing signed.
    const operatorNode = new TaskEvaluator({ host: new PolicyDataHost({ cacheDir: join(dir, 'cache') }), privacy: node });
    const policy = await Policy.compile([{ path: 'private.rego', source: readFileSync(join(root, 'scripts/tour-privacy.rego'), 'utf8') }], 'tour_privacy.allow');
    for (const to of ['0x1111111111111111111111111111111111111111', '0x000000000000000000000000000000000000dEaD']) {
      const intent = { from: user.address, to, value: '0x1', chain_id: `0x${CHAIN.toString(16)}`, function_signature: '0x', data: '0x' };
      const { decision: d } = await operatorNode.simulate(policy, { intent, policy_client: policyClient });
      console.log(`   to ${to.slice(0, 10)}…  → ${d.allow ? 'ALLOW' : `DENY (${d.reason})`}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
