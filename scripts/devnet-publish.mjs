// The devnet's registry: every examples/*/ policy and the gas-price oracle example
// (examples/oracles/gas-price: a JS PolicyData oracle, built once into a cache, and the policy
// reading it) published through newton_publishPolicyData / newton_publishPolicy.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildPolicyData } from 'newton-engine';

const root = new URL('..', import.meta.url).pathname;
/** componentize-js builds take seconds: kept where the tests keep theirs. */
export const oracleBuildCache = join(root, 'node_modules/.cache/newton-policy-data');

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const short = (hex) => `${hex.slice(0, 10)}…`;

/** One example folder: its manifest, policy source and params schema. */
function example(dir) {
  const manifest = readJson(join(dir, 'example.json'));
  return {
    manifest,
    source: readFileSync(join(dir, 'policy.rego'), 'utf8'),
    paramsSchema: manifest.params_schema ? readJson(join(dir, manifest.params_schema)) : undefined,
    json: (file) => readJson(join(dir, file)),
  };
}

/**
 * Publishes the examples as `owner` (the API key's owner); resolves to
 * `{ policies: {name: address}, gasOracle: address }` and prints one line per artifact.
 */
export async function publishExamples(client, owner, log = console.log) {
  const policies = {};
  const publish = async (name, ex, policyData = []) => {
    const r = await client.publishPolicy({
      owner: owner.address, policy: ex.source, entrypoint: ex.manifest.entrypoint,
      params_schema: ex.paramsSchema ?? null, policy_data: policyData,
    });
    policies[name] = r.policy_address;
    const reads = policyData.length ? `, reads PolicyData ${policyData.map(short).join(', ')}` : '';
    log(`   policy ${name.padEnd(17)} ${r.entrypoint.padEnd(22)} → ${r.policy_address}${reads}`);
  };

  // The oracle: built from its JS source (cached), uploaded as a component, compiled by the gateway.
  const gasDir = join(root, 'examples/oracles/gas-price');
  const gas = example(gasDir);
  const t0 = Date.now();
  const built = await buildPolicyData({ source: join(gasDir, gas.manifest.oracle.source), wit: gas.manifest.oracle.wit, cacheDir: oracleBuildCache });
  const buildNote = built.cached ? 'cached build' : `built in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const t1 = Date.now();
  const pd = await client.publishPolicyData({ owner: owner.address, wasm_base64: Buffer.from(built.wasm).toString('base64'), secrets_schema: null, expire_after: 100 });
  log(`   PolicyData gas_price oracle (examples/oracles/gas-price/oracle.js, ${(built.wasm.byteLength / 2 ** 20).toFixed(1)} MiB, ${buildNote}, published in ${((Date.now() - t1) / 1000).toFixed(1)} s) → ${pd.policy_data_address}`);

  for (const name of readdirSync(join(root, 'examples')).sort()) {
    const dir = join(root, 'examples', name);
    if (existsSync(join(dir, 'example.json'))) await publish(name, example(dir));
  }
  await publish('oracles/gas-price', gas, [pd.policy_data_address]);
  return { policies, gasOracle: pd.policy_data_address, examples: { spendLimit: example(join(root, 'examples/spend-limit')), gasPrice: gas } };
}
