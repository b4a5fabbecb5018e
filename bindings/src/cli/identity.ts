// `newton identity upload|link|unlink|links`: the identity lifecycle against the local store.
import type { Hex } from 'viem';
import { NewtonError } from '../errors.js';
import { envelopeDataRefId } from '../privacy.js';
import { domainId } from '../privacy-authorization.js';
import { list, parseArgs, required, str, usage } from './args.js';
import { readText } from './files.js';
import { authorize, openStore, signer, STORE_FLAGS, STORE_HELP } from './registry-args.js';

type Out = (line: string) => void;

export const IDENTITY_HELP = `Usage: newton identity <command> --chain-id N [--store FILE] …

  upload  --signer-key OWNER_KEY --domain NAME --envelope FILE
          stores the owner's envelope (sealed to the operators' key, bound to the owner's address);
          prints {"data_ref_id": …}
  link    --signer-key OWNER_KEY --policy-client ADDR --domain NAME… [--user ADDR --user-key FILE]
          links the owner's domains for a user of the policy client (default user: the owner)
  unlink  --signer-key KEY --policy-client ADDR --domain NAME… [--owner ADDR] [--user ADDR]
          signed by the owner (default) or by the user
  links   --policy-client ADDR --user ADDR

${STORE_HELP}`;

export async function identityCommand(argv: string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'upload':
      return upload(rest, out);
    case 'link':
      return link(rest, out, 'link');
    case 'unlink':
      return link(rest, out, 'unlink');
    case 'links': {
      const args = parseArgs(rest, { ...STORE_FLAGS, 'policy-client': {}, user: {} });
      const store = await openStore(args);
      out(JSON.stringify(await store.linkedIdentity(required(args, 'policy-client'), required(args, 'user'))));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      out(IDENTITY_HELP);
      return 0;
    default:
      throw usage(`unknown command "identity ${command}"\n\n${IDENTITY_HELP}`);
  }
}

async function upload(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { ...STORE_FLAGS, domain: {}, envelope: {} });
  const store = await openStore(args);
  const owner = signer(args);
  const domain = required(args, 'domain');
  const envelope = readText(required(args, 'envelope')).trim();
  const message = { identityOwner: owner.address, identityDomain: domainId(domain), dataRefId: envelopeDataRefId(envelope) };
  const authorization = await authorize(store, owner, 'UploadIdentity', message, args);
  out(JSON.stringify({ data_ref_id: await store.uploadIdentity({ owner: owner.address, domain, envelope, authorization }) }));
  return 0;
}

async function link(argv: string[], out: Out, action: 'link' | 'unlink'): Promise<number> {
  const args = parseArgs(argv, { ...STORE_FLAGS, 'policy-client': {}, domain: { multiple: true }, user: {}, 'user-key': {}, owner: {} });
  const store = await openStore(args);
  const account = signer(args);
  const owner = (str(args, 'owner') ?? account.address) as Hex;
  const user = (str(args, 'user') ?? owner) as Hex;
  const domains = list(args, 'domain');
  if (domains.length === 0) throw usage('--domain is required');
  const policyClient = required(args, 'policy-client') as Hex;
  const linkArgs = { owner, policyClient, user, domains };
  const message = { identityOwner: owner, policyClient, clientUser: user, identityDomains: domains.map(domainId) };
  if (action === 'unlink') {
    await store.unlinkIdentity(linkArgs, await authorize(store, account, 'UnlinkIdentity', message, args));
  } else {
    if (owner.toLowerCase() !== account.address.toLowerCase()) {
      throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: 'link is signed by the owner: --signer-key must be the owner key' });
    }
    const ownerAuth = await authorize(store, account, 'LinkIdentity', message, args);
    const userAuth = user.toLowerCase() === owner.toLowerCase()
      ? undefined
      : await authorize(store, signer(args, 'user-key'), 'LinkIdentity', message, args);
    await store.linkIdentity(linkArgs, ownerAuth, userAuth);
  }
  out(JSON.stringify(await store.linkedIdentity(policyClient, user)));
  return 0;
}
