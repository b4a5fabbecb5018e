// The devnet's registry: every examples/*/ policy and the gas-price oracle example
// (examples/oracles/gas-price: a JS PolicyData oracle, built once into a cache, and the policy
// reading it) published through newton_publishPolicyData / newton_publishPolicy.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPolicyData, type Hex, type NewtonClient } from 'newton-engine';

type Json = Record<string, unknown>;

export interface Example {
  manifest: { entrypoint: string; params?: string; params_schema?: string; intents?: Record<string, string>; oracle?: { source: string; wit: string } };
  source: string;
  paramsSchema?: Json;
  json<T = Json>(file: string): T;
}

export interface Published {
  /** Policy address by example name (`spend-limit`, `oracles/gas-price`, …). */
  policies: Record<string, Hex>;
  gasOracle: Hex;
  examples: { spendLimit: Example; gasPrice: Example };
}

const readJson = <T = Json>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const short = (hex: string) => `${hex.slice(0, 10)}…`;

/** One example folder: its manifest, policy source and params schema. */
function example(dir: string): Example {
  const manifest = readJson<Example['manifest']>(join(dir, 'example.json'));
  return {
    manifest,
    source: readFileSync(join(dir, 'policy.rego'), 'utf8'),
    paramsSchema: manifest.params_schema ? readJson(join(dir, manifest.params_schema)) : undefined,
    json: <T = Json>(file: string) => readJson<T>(join(dir, file)),
  };
}

export interface PublishOptions {
  /** The repository's examples/ folder. */
  examplesDir: string;
  /** Where the oracle's componentize-js build is cached (it takes seconds). */
  buildCacheDir: string;
  log?: (line: string) => void;
}

/** Publishes the examples as `owner` (the API key's owner), one printed line per artifact. */
export async function publishExamples(client: NewtonClient, owner: Hex, options: PublishOptions): Promise<Published> {
  const { examplesDir, buildCacheDir, log = console.log } = options;
  const policies: Record<string, Hex> = {};
  const publish = async (name: string, ex: Example, policyData: Hex[] = []) => {
    const r = await client.publishPolicy({ owner, policy: ex.source, entrypoint: ex.manifest.entrypoint, params_schema: ex.paramsSchema ?? null, policy_data: policyData });
    policies[name] = r.policy_address;
    const reads = policyData.length ? `, reads PolicyData ${policyData.map(short).join(', ')}` : '';
    log(`   policy ${name.padEnd(17)} ${r.entrypoint.padEnd(22)} → ${r.policy_address}${reads}`);
  };

  // The oracle: built from its JS source (cached), uploaded as a component, compiled by the gateway.
  const gasDir = join(examplesDir, 'oracles/gas-price');
  const gas = example(gasDir);
  const oracle = gas.manifest.oracle!;
  const t0 = Date.now();
  const built = await buildPolicyData({ source: join(gasDir, oracle.source), wit: oracle.wit, cacheDir: buildCacheDir });
  const buildNote = built.cached ? 'cached build' : `built in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const t1 = Date.now();
  const pd = await client.publishPolicyData({ owner, wasm_base64: Buffer.from(built.wasm).toString('base64'), secrets_schema: null, expire_after: 100 });
  log(`   PolicyData gas_price oracle (examples/oracles/gas-price/oracle.js, ${(built.wasm.byteLength / 2 ** 20).toFixed(1)} MiB, ${buildNote}, published in ${((Date.now() - t1) / 1000).toFixed(1)} s) → ${pd.policy_data_address}`);

  for (const name of readdirSync(examplesDir).sort()) {
    const dir = join(examplesDir, name);
    if (existsSync(join(dir, 'example.json'))) await publish(name, example(dir));
  }
  await publish('oracles/gas-price', gas, [pd.policy_data_address]);
  return { policies, gasOracle: pd.policy_data_address, examples: { spendLimit: example(join(examplesDir, 'spend-limit')), gasPrice: gas } };
}
