// `newton confidential publish|grant|accept|revoke|set-owner|grants|versions`: the confidential
// data lifecycle against the local store.
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { domainId } from '../privacy-authorization.js';
import type { Cli } from './output.js';
import { authorize, openStore, signedEnvelope, signer, withStore, type EnvelopeFlags, type StoreFlags } from './registry-args.js';

type GrantStep = 'grant' | 'accept' | 'revoke';

interface GrantFlags extends StoreFlags {
  signerKey: string;
  domain: string;
  policyClient: Hex;
  provider?: Hex;
}

export function addConfidential(program: Command, cli: Cli): void {
  const area = program
    .command('confidential')
    .description('the confidential data lifecycle in the local store: publish | grant | accept | revoke | set-owner | grants | versions');
  withStore(
    area
      .command('publish')
      .description("publish a new version of the provider's dataset (envelope bound to the provider's address)")
      .requiredOption('--domain <NAME>', 'the dataset domain, e.g. newton.privacy.blacklist')
      .requiredOption('--envelope <FILE>', 'the SecureEnvelope'),
    true,
  )
    .action(async (opts: EnvelopeFlags) => {
      const publish = (provider: Hex, domain: Hex, dataRefId: Hex) => ({ provider, domain, dataRefId });
      const { store, address, envelope, authorization } = await signedEnvelope(opts, 'PublishData', publish);
      cli.data(opts.format, await store.publishConfidential({ provider: address, domain: opts.domain, envelope, authorization }));
    });
  const steps: [GrantStep, string][] = [
    ['grant', "propose a grant of the provider's domain to a policy client (step 1, signed by the provider)"],
    ['accept', "accept a proposed grant (step 2, signed by the policy client's owner)"],
    ['revoke', 'revoke a grant (signed by the provider)'],
  ];
  for (const [step, description] of steps) {
    const command = area
      .command(step)
      .description(description)
      .requiredOption('--domain <NAME>', 'the dataset domain')
      .requiredOption('--policy-client <ADDR>', 'the policy client');
    if (step === 'accept') command.requiredOption('--provider <ADDR>', 'the provider that proposed the grant');
    withStore(command, true).action((opts: GrantFlags) => grant(cli, step, opts));
  }
  withStore(
    area
      .command('set-owner')
      .description("record who owns a policy client (the local stand-in for its getOwner())")
      .requiredOption('--policy-client <ADDR>', 'the policy client')
      .requiredOption('--owner <ADDR>', 'its owner'),
    false,
  )
    .action(async (opts: StoreFlags & { policyClient: string; owner: string }) => {
      await (await openStore(opts)).setPolicyClientOwner(opts.policyClient, opts.owner);
      cli.data(opts.format, { policy_client: opts.policyClient, owner: opts.owner });
    });
  withStore(
    area
      .command('grants')
      .description("print a policy client's grants")
      .requiredOption('--policy-client <ADDR>', 'the policy client'),
    false,
  )
    .action(async (opts: StoreFlags & { policyClient: string }) => {
      cli.data(opts.format, await (await openStore(opts)).grants(opts.policyClient));
    });
  withStore(
    area
      .command('versions')
      .description("print the published versions of a provider's dataset")
      .requiredOption('--provider <ADDR>', 'the provider')
      .requiredOption('--domain <NAME>', 'the dataset domain'),
    false,
  )
    .action(async (opts: StoreFlags & { provider: string; domain: string }) => {
      cli.data(opts.format, await (await openStore(opts)).versions(opts.provider, opts.domain));
    });
}

async function grant(cli: Cli, step: GrantStep, opts: GrantFlags): Promise<void> {
  const store = await openStore(opts);
  const account = signer(opts.signerKey);
  const { domain, policyClient } = opts;
  const provider = opts.provider ?? account.address;
  const common = { provider, domain: domainId(domain), policyClient };
  const grantArgs = { provider, domain, policyClient };
  if (step === 'grant') {
    await store.proposeGrant({ ...grantArgs, authorization: await authorize(store, account, 'ProposeGrant', common, opts) });
  } else if (step === 'accept') {
    const message = { policyClientOwner: account.address, ...common };
    await store.acceptGrant({ ...grantArgs, authorization: await authorize(store, account, 'AcceptGrant', message, opts) });
  } else {
    await store.revokeGrant({ ...grantArgs, authorization: await authorize(store, account, 'RevokeGrant', common, opts) });
  }
  cli.data(opts.format, await store.grants(policyClient));
}
