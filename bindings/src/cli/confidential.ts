// `newton confidential publish|grant|accept|revoke|set-owner|grants|versions`: the confidential
// data lifecycle against the local store.
import type { Hex } from 'viem';
import { envelopeDataRefId } from '../privacy.js';
import { domainId } from '../privacy-authorization.js';
import { parseArgs, required, usage, type Parsed } from './args.js';
import { readText } from './files.js';
import { authorize, openStore, signer, STORE_FLAGS, STORE_HELP } from './registry-args.js';

type Out = (line: string) => void;

export const CONFIDENTIAL_HELP = `Usage: newton confidential <command> --chain-id N [--store FILE] …

  publish   --signer-key PROVIDER_KEY --domain NAME --envelope FILE
            a new version of the provider's dataset (envelope bound to the provider's address)
  grant     --signer-key PROVIDER_KEY --domain NAME --policy-client ADDR     (step 1: propose)
  accept    --signer-key OWNER_KEY --provider ADDR --domain NAME --policy-client ADDR
            (step 2: the policy client's owner accepts)
  revoke    --signer-key PROVIDER_KEY --domain NAME --policy-client ADDR
  set-owner --policy-client ADDR --owner ADDR
            records who owns the policy client (the local stand-in for its getOwner())
  grants    --policy-client ADDR
  versions  --provider ADDR --domain NAME

${STORE_HELP}`;

export async function confidentialCommand(argv: string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'publish':
      return publish(rest, out);
    case 'grant':
    case 'accept':
    case 'revoke':
      return grant(command, rest, out);
    case 'set-owner': {
      const args = parseArgs(rest, { ...STORE_FLAGS, 'policy-client': {}, owner: {} });
      await (await openStore(args)).setPolicyClientOwner(required(args, 'policy-client'), required(args, 'owner'));
      out(JSON.stringify({ policy_client: required(args, 'policy-client'), owner: required(args, 'owner') }));
      return 0;
    }
    case 'grants': {
      const args = parseArgs(rest, { ...STORE_FLAGS, 'policy-client': {} });
      out(JSON.stringify(await (await openStore(args)).grants(required(args, 'policy-client'))));
      return 0;
    }
    case 'versions': {
      const args = parseArgs(rest, { ...STORE_FLAGS, provider: {}, domain: {} });
      out(JSON.stringify(await (await openStore(args)).versions(required(args, 'provider'), required(args, 'domain'))));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      out(CONFIDENTIAL_HELP);
      return 0;
    default:
      throw usage(`unknown command "confidential ${command}"\n\n${CONFIDENTIAL_HELP}`);
  }
}

async function publish(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { ...STORE_FLAGS, domain: {}, envelope: {} });
  const store = await openStore(args);
  const provider = signer(args);
  const domain = required(args, 'domain');
  const envelope = readText(required(args, 'envelope')).trim();
  const message = { provider: provider.address, domain: domainId(domain), dataRefId: envelopeDataRefId(envelope) };
  const authorization = await authorize(store, provider, 'PublishData', message, args);
  out(JSON.stringify(await store.publishConfidential({ provider: provider.address, domain, envelope, authorization })));
  return 0;
}

async function grant(step: 'grant' | 'accept' | 'revoke', argv: string[], out: Out): Promise<number> {
  const args: Parsed = parseArgs(argv, { ...STORE_FLAGS, domain: {}, 'policy-client': {}, provider: {} });
  const store = await openStore(args);
  const account = signer(args);
  const domain = required(args, 'domain');
  const policyClient = required(args, 'policy-client') as Hex;
  const provider = (step === 'accept' ? required(args, 'provider') : account.address) as Hex;
  const common = { provider, domain: domainId(domain), policyClient };
  const grantArgs = { provider, domain, policyClient };
  if (step === 'grant') {
    await store.proposeGrant({ ...grantArgs, authorization: await authorize(store, account, 'ProposeGrant', common, args) });
  } else if (step === 'accept') {
    const message = { policyClientOwner: account.address, ...common };
    await store.acceptGrant({ ...grantArgs, authorization: await authorize(store, account, 'AcceptGrant', message, args) });
  } else {
    await store.revokeGrant({ ...grantArgs, authorization: await authorize(store, account, 'RevokeGrant', common, args) });
  }
  out(JSON.stringify(await store.grants(policyClient)));
  return 0;
}
