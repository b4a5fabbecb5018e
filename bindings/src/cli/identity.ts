// `newton identity upload|link|unlink|links`: the identity lifecycle against the local store.
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { NewtonError } from '../errors.js';
import { domainId } from '../privacy-authorization.js';
import { usage } from './exit.js';
import type { Cli } from './output.js';
import { authorize, openStore, signedEnvelope, signer, withStore, type EnvelopeFlags, type StoreFlags } from './registry-args.js';

interface LinkFlags extends StoreFlags {
  signerKey: string;
  policyClient: Hex;
  domain: string[];
  user?: Hex;
  userKey?: string;
  owner?: Hex;
}

export function addIdentity(program: Command, cli: Cli): void {
  const area = program.command('identity').description('the identity lifecycle in the local store: upload | link | unlink | links');
  withStore(
    area
      .command('upload')
      .description("store the owner's envelope (sealed to the operators' key, bound to the owner's address)")
      .requiredOption('--domain <NAME>', 'the identity domain, e.g. kyc')
      .requiredOption('--envelope <FILE>', 'the SecureEnvelope'),
    true,
  )
    .action(async (opts: EnvelopeFlags) => {
      const upload = (identityOwner: Hex, identityDomain: Hex, dataRefId: Hex) => ({ identityOwner, identityDomain, dataRefId });
      const { store, address, envelope, authorization } = await signedEnvelope(opts, 'UploadIdentity', upload);
      cli.data(opts.format, { data_ref_id: await store.uploadIdentity({ owner: address, domain: opts.domain, envelope, authorization }) });
    });
  withStore(
    area
      .command('link')
      .description("link the owner's domains for a user of the policy client (default user: the owner)")
      .requiredOption('--policy-client <ADDR>', 'the policy client')
      .requiredOption('--domain <NAME...>', 'the identity domains')
      .option('--user <ADDR>', 'the policy client user (default: the owner)')
      .option('--user-key <FILE>', "the user's key, to co-sign when the user is not the owner"),
    true,
  )
    .action((opts: LinkFlags) => link(cli, opts, 'link'));
  withStore(
    area
      .command('unlink')
      .description('unlink domains, signed by the owner (default) or by the user')
      .requiredOption('--policy-client <ADDR>', 'the policy client')
      .requiredOption('--domain <NAME...>', 'the identity domains')
      .option('--owner <ADDR>', 'the identity owner (default: the signer)')
      .option('--user <ADDR>', 'the policy client user (default: the owner)'),
    true,
  )
    .action((opts: LinkFlags) => link(cli, opts, 'unlink'));
  withStore(
    area
      .command('links')
      .description("print a user's linked identity for a policy client")
      .requiredOption('--policy-client <ADDR>', 'the policy client')
      .requiredOption('--user <ADDR>', 'the policy client user'),
    false,
  )
    .action(async (opts: StoreFlags & { policyClient: string; user: string }) => {
      cli.data(opts.format, await (await openStore(opts)).linkedIdentity(opts.policyClient, opts.user));
    });
}

async function link(cli: Cli, opts: LinkFlags, action: 'link' | 'unlink'): Promise<void> {
  const store = await openStore(opts);
  const account = signer(opts.signerKey);
  const owner = opts.owner ?? account.address;
  const user = opts.user ?? owner;
  const { policyClient, domain: domains } = opts;
  const linkArgs = { owner, policyClient, user, domains };
  const message = { identityOwner: owner, policyClient, clientUser: user, identityDomains: domains.map(domainId) };
  if (action === 'unlink') {
    await store.unlinkIdentity(linkArgs, await authorize(store, account, 'UnlinkIdentity', message, opts));
  } else {
    if (owner.toLowerCase() !== account.address.toLowerCase()) {
      throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: 'link is signed by the owner: --signer-key must be the owner key' });
    }
    const ownerAuth = await authorize(store, account, 'LinkIdentity', message, opts);
    let userAuth;
    if (user.toLowerCase() !== owner.toLowerCase()) {
      if (opts.userKey === undefined) throw usage('--user-key is required when --user is not the owner');
      userAuth = await authorize(store, signer(opts.userKey), 'LinkIdentity', message, opts);
    }
    await store.linkIdentity(linkArgs, ownerAuth, userAuth);
  }
  cli.data(opts.format, await store.linkedIdentity(policyClient, user));
}
