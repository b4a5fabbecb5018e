// `newton policy-data publish` and `newton policy publish`: upload a PolicyData component or a Rego
// policy to a running gateway (newton_publishPolicyData / newton_publishPolicy). Both are
// content-addressed: publishing the same inputs again answers the same address with created false.
import type { Command } from 'commander';
import { positiveInt } from './exit.js';
import { readBytes, readText } from './files.js';
import { address, GatewayConnection, readJsonObject, withGateway, type GatewayFlags } from './gateway-client.js';
import type { Cli } from './output.js';

export function addPolicyDataPublish(area: Command, cli: Cli): void {
  withGateway(
    area
      .command('publish')
      .description('publish a component to a gateway and print its PolicyData address')
      .requiredOption('--wasm <FILE>', 'the component')
      .requiredOption('--owner <ADDR>', 'the PolicyData owner', address)
      .requiredOption('--expire-after <BLOCKS>', 'how many blocks its data stays valid', positiveInt)
      .option('--secrets-schema <FILE>', 'JSON Schema of the secrets policy clients store for it'),
  ).action(async (opts: GatewayFlags & { wasm: string; owner: string; expireAfter: number; secretsSchema?: string }) => {
    const wasm = readBytes(opts.wasm).toString('base64');
    const secretsSchema = opts.secretsSchema === undefined ? null : readJsonObject(opts.secretsSchema);
    const gateway = new GatewayConnection(opts);
    const published = await gateway.call((c) =>
      c.publishPolicyData({ owner: opts.owner, wasm_base64: wasm, secrets_schema: secretsSchema, expire_after: opts.expireAfter }),
    );
    cli.data(opts.format, published);
  });
}

export function addPolicyPublish(area: Command, cli: Cli): void {
  withGateway(
    area
      .command('publish')
      .description('publish a policy (one Rego module) to a gateway and print its policy address')
      .requiredOption('--policy <FILE>', 'the Rego module')
      .requiredOption('--entrypoint <PKG.RULE>', 'the rule tasks evaluate, e.g. spend_limit.allow')
      .requiredOption('--owner <ADDR>', 'the policy owner', address)
      .option('--params-schema <FILE>', "JSON Schema policy clients' params must satisfy")
      .option('--policy-data <ADDR...>', 'published PolicyData whose merged output is data.wasm', (value: string, previous: string[] = []) => [...previous, address(value)]),
  ).action(async (opts: GatewayFlags & { policy: string; entrypoint: string; owner: string; paramsSchema?: string; policyData?: string[] }) => {
    const policy = readText(opts.policy);
    const paramsSchema = opts.paramsSchema === undefined ? null : readJsonObject(opts.paramsSchema);
    const gateway = new GatewayConnection(opts);
    const published = await gateway.call((c) =>
      c.publishPolicy({ owner: opts.owner, policy, entrypoint: opts.entrypoint, params_schema: paramsSchema, policy_data: opts.policyData ?? [] }),
    );
    cli.data(opts.format, published);
  });
}
