// `newton policy-client register|set-policy|set-policy-params`: the owner's writes of a policy
// client on a gateway. Each is signed by the owner (EIP-712, OWNER_EIP712_TYPES, with the owner's
// next gateway nonce) and mints a new policyId; attestations minted under an older one are refused.
import type { Command } from 'commander';
import type { PrivateKeyAccount } from 'viem/accounts';
import { positiveInt } from './exit.js';
import {
  address,
  GatewayConnection,
  ownerAccount,
  paramsHash,
  paramsText,
  withGateway,
  withOwnerKey,
  type GatewayFlags,
  type OwnerKeyFlags,
} from './gateway-client.js';
import type { Cli } from './output.js';

const ABOUT = `The owner's key signs the write: --owner-key FILE (0x hex on its first line) or the key itself in
$NEWTON_OWNER_KEY; it is never printed. --params is data.params of the policy, as JSON or @FILE; its
exact text is stored and signed (default {}). Prints the policy client's new policy_id.`;

interface WriteFlags extends GatewayFlags, OwnerKeyFlags {
  client: string;
  params?: string;
  expireAfter?: number;
}

export function addPolicyClient(program: Command, cli: Cli): void {
  const area = program
    .command('policy-client')
    .description("a policy client's policy on a gateway, signed by its owner: register | set-policy | set-policy-params")
    .addHelpText('after', `\n${ABOUT}`);
  const write = (name: string, description: string) =>
    area
      .command(name)
      .description(description)
      .requiredOption('--client <ADDR>', 'the policy client (its contract address)', address);
  withGateway(
    withOwnerKey(
      write('register', "register a policy client owned by the key's address, on a published policy")
        .requiredOption('--policy <ADDR>', 'the published policy', address)
        .option('--params <JSON|@FILE>', 'the policy params (default {})')
        .requiredOption('--expire-after <BLOCKS>', 'how many blocks its attestations stay valid', positiveInt),
    ),
  ).action(async (opts: WriteFlags & { policy: string }) => {
    const owner = ownerAccount(opts);
    const params = paramsText(opts.params);
    const expireAfter = opts.expireAfter as number;
    const gateway = new GatewayConnection(opts);
    const client = opts.client.toLowerCase();
    const policy = opts.policy.toLowerCase();
    const message = { policyClient: client, owner: lower(owner), policy, policyParamsHash: paramsHash(params), expireAfter };
    const authorization = await gateway.authorize(owner, 'RegisterPolicyClient', message, opts);
    const registered = await gateway.call((c) =>
      c.registerPolicyClient({ policy_client: client, owner: lower(owner), policy, policy_params: params, expire_after: expireAfter, authorization }),
    );
    cli.data(opts.format, registered);
  });
  withGateway(
    withOwnerKey(
      write('set-policy', 'point the policy client at another published policy (a new policyId)')
        .requiredOption('--policy <ADDR>', 'the published policy', address)
        .option('--params <JSON|@FILE>', 'the policy params (default {})')
        .option('--expire-after <BLOCKS>', "how many blocks its attestations stay valid (default: the client's current value)", positiveInt),
    ),
  ).action(async (opts: WriteFlags & { policy: string }) => {
    const owner = ownerAccount(opts);
    const params = paramsText(opts.params);
    const gateway = new GatewayConnection(opts);
    const client = opts.client.toLowerCase();
    const policy = opts.policy.toLowerCase();
    const expireAfter = opts.expireAfter ?? (await currentExpireAfter(gateway, client));
    const message = { policyClient: client, policy, policyParamsHash: paramsHash(params), expireAfter };
    const authorization = await gateway.authorize(owner, 'SetPolicy', message, opts);
    cli.data(opts.format, await gateway.call((c) => c.setPolicy({ policy_client: client, policy, policy_params: params, expire_after: expireAfter, authorization })));
  });
  withGateway(
    withOwnerKey(
      write('set-policy-params', 'change the params (and expireAfter) of the current policy (a new policyId)')
        .option('--params <JSON|@FILE>', 'the policy params (default {})')
        .option('--expire-after <BLOCKS>', "how many blocks its attestations stay valid (default: the client's current value)", positiveInt),
    ),
  ).action(async (opts: WriteFlags) => {
    const owner = ownerAccount(opts);
    const params = paramsText(opts.params);
    const gateway = new GatewayConnection(opts);
    const client = opts.client.toLowerCase();
    const expireAfter = opts.expireAfter ?? (await currentExpireAfter(gateway, client));
    const message = { policyClient: client, policyParamsHash: paramsHash(params), expireAfter };
    const authorization = await gateway.authorize(owner, 'SetPolicyParams', message, opts);
    cli.data(opts.format, await gateway.call((c) => c.setPolicyParams({ policy_client: client, policy_params: params, expire_after: expireAfter, authorization })));
  });
}

const lower = (account: PrivateKeyAccount) => account.address.toLowerCase();

/** The expireAfter the client's current policyId was set with (the signature must name the value). */
async function currentExpireAfter(gateway: GatewayConnection, client: string): Promise<number> {
  const current = await gateway.call((c) => c.getPolicyClient(client));
  return (current.policy_config as { expireAfter: number }).expireAfter;
}
