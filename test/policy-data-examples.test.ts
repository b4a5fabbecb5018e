// The example oracles under examples/oracles/: each builds, runs in replay mode from its committed
// HTTP fixtures to exactly its committed wasm.json, runs live against a local fixture server, and
// feeds the policy beside it through data.wasm, which decides as its tests promise.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  NewtonError,
  Policy,
  PolicyDataHost,
  mergePolicyDataOutputs,
  runPolicyTestsSync,
  type EvaluationRequest,
  type PolicyDataModule,
  type TaskIntent,
} from '../bindings/dist/index.js';
import { startFixtureServer, type FixtureServer, type RecordedRequest } from './helpers/fixture-server.js';
import { newton } from './helpers/cli.js';
import { makeTempDir } from './helpers/newton.js';
import { BUILD_TIMEOUT_MS, buildCacheDir, oracle } from './helpers/oracle-build.js';
import { repoRoot } from './helpers/paths.js';

const oraclesDir = path.join(repoRoot, 'examples/oracles');

/** examples/oracles/<name>/example.json: a policy manifest (as examples/*) plus its oracle. */
interface Manifest {
  description: string;
  entrypoint: string;
  intents: Record<string, string>;
  params: string;
  params_schema: string;
  wasm: string;
  oracle: {
    source: string;
    wit: '0.2.0' | '0.1.0';
    wasm_args: string;
    http_fixtures: string;
    output_schema: string;
    secrets?: string;
    secrets_schema?: string;
  };
}

interface Example {
  dir: string;
  manifest: Manifest;
  read(file: string): string;
  json<T = any>(file: string): T;
  policy: Policy;
  module: PolicyDataModule;
}

async function loadExample(name: string, host: PolicyDataHost): Promise<Example> {
  const dir = path.join(oraclesDir, name);
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  const json = (file: string) => JSON.parse(read(file));
  const manifest: Manifest = json('example.json');
  const policy = Policy.compileSync([{ path: `examples/oracles/${name}/policy.rego`, source: read('policy.rego') }], manifest.entrypoint, {
    paramsSchema: read(manifest.params_schema),
  });
  const module = await host.load(await oracle(`examples/oracles/${name}/${manifest.oracle.source}`, manifest.oracle.wit));
  return { dir, manifest, read, json, policy, module };
}

/** The decision for the manifest's intent with data.wasm = the merged outputs of `outputs`. */
function decide(ex: Example, outputs: string[], patch: Partial<EvaluationRequest> = {}) {
  const request = {
    intent: ex.json<TaskIntent>(ex.manifest.intents.intent as string),
    params: ex.json(ex.manifest.params),
    wasm: mergePolicyDataOutputs(outputs),
    ...patch,
  };
  return ex.policy.evaluateSync(request);
}

/** The policy's `deny` set, as the reason behind a refusal. */
function denyReasons(ex: Example, outputs: string[]): string[] {
  const deny = Policy.compileSync([{ path: 'policy.rego', source: ex.read('policy.rego') }], ex.manifest.entrypoint.replace(/\.allow$/, '.deny'));
  return deny.evaluateSync({
    intent: ex.json<TaskIntent>(ex.manifest.intents.intent as string),
    params: ex.json(ex.manifest.params),
    wasm: mergePolicyDataOutputs(outputs),
  }).result as string[];
}

function commonChecks(name: string, get: () => Example) {
  test(`${name}: example.json lists files that exist and policy_test.rego passes`, () => {
    const { dir, manifest, read } = get();
    const { oracle: o, ...policyFiles } = manifest;
    const files = [...Object.values(manifest.intents), policyFiles.params, policyFiles.params_schema, policyFiles.wasm, ...Object.values(o).filter((v) => v.endsWith('.json') || v.endsWith('.js'))];
    for (const file of files) expect(fs.existsSync(path.join(dir, file)), file).toBe(true);
    const report = runPolicyTestsSync([
      { path: 'policy.rego', source: read('policy.rego') },
      { path: 'policy_test.rego', source: read('policy_test.rego') },
    ]);
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.results.filter((t) => t.outcome !== 'pass').map((t) => t.name)).toEqual([]);
  });

  test(`${name}: replay from the committed fixtures gives exactly wasm.json, and the policy allows`, async () => {
    const ex = get();
    const run = await ex.module.run(ex.read(ex.manifest.oracle.wasm_args), {
      httpMode: 'replay',
      httpFixtures: ex.read(ex.manifest.oracle.http_fixtures),
      secrets: ex.manifest.oracle.secrets && ex.read(ex.manifest.oracle.secrets),
    });
    expect(JSON.parse(run.output)).toEqual(ex.json(ex.manifest.wasm));
    expect(run.http_calls).toBe(ex.json(ex.manifest.oracle.http_fixtures).entries.length);
    expect(decide(ex, [run.output]).allow).toBe(true);
  });

  test(`${name}: the committed wasm.json satisfies output_schema.json shape (pack-id wrapped)`, () => {
    const ex = get();
    const wasm = ex.json(ex.manifest.wasm);
    const schema = ex.json(ex.manifest.oracle.output_schema);
    expect(Object.keys(wasm)).toEqual(schema.required);
  });

  test(`${name}: replay without a fixture for the request → HTTP_FIXTURE_MISSING`, async () => {
    const ex = get();
    const err = await ex.module.run(ex.read(ex.manifest.oracle.wasm_args), { httpMode: 'replay', httpFixtures: { version: 1, entries: [] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NewtonError);
    expect((err as NewtonError).code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_FIXTURE_MISSING');
  });
}

let server: FixtureServer;
/** Compiled artifacts shared by the hosts here (each oracle is ≈12 MB and compiles in seconds). */
let cacheDir: string;
let host: PolicyDataHost;
const examples: Record<string, Example> = {};

beforeAll(async () => {
  server = await startFixtureServer();
  cacheDir = makeTempDir('pd-examples');
  host = new PolicyDataHost({ allowHosts: [server.hostPort], cacheDir });
  for (const name of ['kyc-screen', 'gas-price']) examples[name] = await loadExample(name, host);
}, 2 * BUILD_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

test('every examples/oracles/* folder is covered here', () => {
  const folders = fs.readdirSync(oraclesDir).filter((f) => fs.existsSync(path.join(oraclesDir, f, 'example.json')));
  expect(folders.sort()).toEqual(Object.keys(examples).sort());
});

describe('kyc-screen (KYC + sanctions over HTTP)', () => {
  const ex = () => examples['kyc-screen'] as Example;
  const sender = '0xd232c8d0dc8069eba108954a5f2307752547df1a';
  const key = 'test-key-123';
  const args = () => ({ kyc_screen: { address: sender, base_url: server.origin } });
  /** Serves `sender` (and only with the right API key) as `kyc` and `sanctions` say. */
  const serve = (kyc: object | null, lists: string[] = []) => {
    const auth = (req: RecordedRequest, body: object) => (req.headers['x-api-key'] === key ? { body } : { status: 401, body: { error: 'bad key' } });
    server.route(`GET /v1/addresses/${sender}/sanctions`, (req) => auth(req, { address: sender, identifications: lists.map((name) => ({ category: 'sanctions', name })) }));
    server.route(`GET /v1/addresses/${sender}/kyc`, (req) => (kyc ? auth(req, kyc) : { status: 404, body: { error: 'unknown address' } }));
  };
  const live = (withKey = true) => ex().module.run(args(), withKey ? { secrets: { KYC_API_KEY: key } } : {});

  commonChecks('kyc-screen', ex);

  test('the module is a 0.2.0 component importing http and secrets', () => {
    expect(ex().module.witVersion).toBe('0.2.0');
    expect(ex().module.imports).toEqual(expect.arrayContaining(['newton:provider/http@0.2.0', 'newton:provider/secrets@0.2.0']));
  });

  test('live against the fixture server: approved, unlisted sender → ALLOW; the secret key is sent', async () => {
    serve({ status: 'approved', country: 'US' });
    const before = server.requests.length;
    const run = await live();
    expect(JSON.parse(run.output)).toEqual({ kyc_screen: { address: sender, sanctioned: false, sanctions_lists: [], kyc_status: 'approved', country: 'US' } });
    expect(run.http_calls).toBe(2);
    expect(server.requests.slice(before).map((r) => [r.method, r.url, r.headers['x-api-key']])).toEqual([
      ['GET', `/v1/addresses/${sender}/sanctions`, key],
      ['GET', `/v1/addresses/${sender}/kyc`, key],
    ]);
    expect(decide(ex(), [run.output]).allow).toBe(true);
  });

  test('a sanctioned sender → DENY naming the list', async () => {
    serve({ status: 'approved', country: 'US' }, ['SANCTIONS: OFAC SDN List']);
    const run = await live();
    expect(decide(ex(), [run.output]).allow).toBe(false);
    expect(denyReasons(ex(), [run.output])).toEqual(['sender is on sanctions lists ["SANCTIONS: OFAC SDN List"]']);
  });

  test('KYC pending, unknown (404) or from a blocked country → DENY', async () => {
    for (const [kyc, reason] of [
      [{ status: 'pending', country: 'US' }, 'KYC status is pending, not approved'],
      [null, 'KYC status is none, not approved'],
      [{ status: 'approved', country: 'KP' }, 'country KP is blocked'],
    ] as const) {
      serve(kyc);
      const run = await live();
      expect(decide(ex(), [run.output]).allow).toBe(false);
      expect(denyReasons(ex(), [run.output])).toEqual([reason]);
    }
  });

  test('no secrets → the API answers 401 → the oracle reports an error → DENY (fails closed)', async () => {
    serve({ status: 'approved', country: 'US' });
    const run = await live(false);
    const output = JSON.parse(run.output);
    expect(output.kyc_screen.error).toMatch(/HTTP 401$/);
    expect(decide(ex(), [run.output]).allow).toBe(false);
  });

  test('record mode captures the exchanges; replaying them gives the same output', async () => {
    serve({ status: 'approved', country: 'DE' });
    const recorded = await ex().module.run(args(), { secrets: { KYC_API_KEY: key }, httpMode: 'record' });
    const fixtures = JSON.parse(recorded.http_recorded as string);
    expect(fixtures.entries).toHaveLength(2);
    const replayed = await ex().module.run(args(), { httpMode: 'replay', httpFixtures: recorded.http_recorded as string });
    expect(replayed.output).toBe(recorded.output);
  });

  test('without the allow list the host refuses the fixture server → HTTP_FORBIDDEN (the oracle cannot catch it)', async () => {
    const strict = await new PolicyDataHost({ cacheDir }).load(await oracle('examples/oracles/kyc-screen/oracle.js'));
    const err = await strict.run(args(), { secrets: { KYC_API_KEY: key } }).catch((e: unknown) => e);
    expect((err as NewtonError).code).toBe('NEWTON_ERR_POLICY_DATA_HTTP_FORBIDDEN');
  });
});

describe('gas-price (JSON-RPC eth_chainId + eth_gasPrice, legacy 0.1.0 world, async run)', () => {
  const ex = () => examples['gas-price'] as Example;
  /** A JSON-RPC endpoint at POST /rpc answering the batch with `chainId` and `gasPrice` (hex). */
  const rpc = (chainId: string, gasPrice: string | { error: string }) =>
    server.route('POST /rpc', (req) => {
      const batch = JSON.parse(req.body.toString('utf8')) as { id: number; method: string }[];
      return {
        body: batch.map(({ id, method }) =>
          method === 'eth_chainId'
            ? { jsonrpc: '2.0', id, result: chainId }
            : typeof gasPrice === 'string'
              ? { jsonrpc: '2.0', id, result: gasPrice }
              : { jsonrpc: '2.0', id, error: { code: -32000, message: gasPrice.error } },
        ),
      };
    });
  const live = () => ex().module.run({ gas_price: { rpc_url: `${server.origin}/rpc` } });

  commonChecks('gas-price', ex);

  test('the module is a legacy 0.1.0 component importing only http@0.1.0', () => {
    expect(ex().module.witVersion).toBe('0.1.0');
    expect(ex().module.imports).toEqual(['newton:provider/http@0.1.0']);
  });

  test('live: 12.5 gwei on Sepolia under max 20 → ALLOW; one batch POST', async () => {
    rpc('0xaa36a7', '0x2e90edd00');
    const before = server.requests.length;
    const run = await live();
    expect(JSON.parse(run.output)).toEqual({ gas_price: { chain_id: '11155111', wei: '12500000000', gwei: 12.5 } });
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(JSON.parse((sent[0] as RecordedRequest).body.toString()).map((r: { method: string }) => r.method)).toEqual(['eth_chainId', 'eth_gasPrice']);
    expect(decide(ex(), [run.output]).allow).toBe(true);
  });

  test('a price one wei over max_gwei → DENY', async () => {
    rpc('0xaa36a7', `0x${(20_000_000_001n).toString(16)}`);
    const run = await live();
    expect(JSON.parse(run.output).gas_price.gwei).toBe(20.000000001);
    expect(decide(ex(), [run.output]).allow).toBe(false);
    expect(decide(ex(), [run.output], { params: { max_gwei: 20.000000001 } }).allow).toBe(true);
  });

  test('an endpoint for another chain → DENY', async () => {
    rpc('0x1', '0x3b9aca00');
    const run = await live();
    expect(denyReasons(ex(), [run.output])).toEqual(['oracle read chain 1, the intent is on chain 11155111']);
  });

  test('a JSON-RPC error → the oracle reports it → DENY', async () => {
    rpc('0xaa36a7', { error: 'header not found' });
    const run = await live();
    expect(JSON.parse(run.output)).toEqual({ gas_price: { error: 'eth_gasPrice: header not found' } });
    expect(decide(ex(), [run.output]).allow).toBe(false);
  });
});

test('both oracles merge into one data.wasm in order, each under its pack id', async () => {
  const kyc = examples['kyc-screen'] as Example;
  const gas = examples['gas-price'] as Example;
  const replay = (e: Example) =>
    e.module.run(e.read(e.manifest.oracle.wasm_args), { httpMode: 'replay', httpFixtures: e.read(e.manifest.oracle.http_fixtures) });
  const outputs = [(await replay(kyc)).output, (await replay(gas)).output];
  expect(mergePolicyDataOutputs(outputs)).toEqual({ ...kyc.json(kyc.manifest.wasm), ...gas.json(gas.manifest.wasm) });
  expect(decide(kyc, outputs).allow).toBe(true);
  expect(decide(gas, outputs).allow).toBe(true);
});

describe('the developer workflow through the CLI (kyc-screen, offline)', () => {
  const dir = 'examples/oracles/kyc-screen';
  const file = (name: string) => `${dir}/${name}`;
  const wasm = () => path.join(cacheDir, 'kyc-screen.wasm');
  const replayFlags = () => ['--args', `@${file('wasm_args.json')}`, '--secrets', file('secrets.json'), '--http-fixtures', file('http-fixtures.json'), '--cache-dir', cacheDir];

  beforeAll(async () => {
    const built = await newton(['policy-data', 'build', file('oracle.js'), '--out', wasm(), '--cache-dir', buildCacheDir]);
    expect(built.stderr).toContain('newton: built kyc-screen.wasm');
    expect(built.status).toBe(0);
  }, BUILD_TIMEOUT_MS);

  test(
    'build → run (replay) → validate → policy eval --policy-data',
    async () => {
      const run = await newton(['policy-data', 'run', '--wasm', wasm(), ...replayFlags(), '--format', 'json']);
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse(fs.readFileSync(path.join(repoRoot, file('wasm.json')), 'utf8')));

      const valid = await newton(['policy-data', 'validate', '--wasm', wasm(), '--schema', file('output_schema.json'), ...replayFlags()]);
      expect(valid.status, valid.stderr).toBe(0);
      expect(JSON.parse(valid.stdout)).toEqual({ valid: true });

      const evaluated = await newton([
        'policy', 'eval', '--policy', file('policy.rego'), '--entrypoint', 'kyc_screen.allow',
        '--intent', file('intent.json'), '--params', file('params.json'), '--params-schema', file('params_schema.json'),
        '--policy-data', wasm(), '--wasm-args', `@${file('wasm_args.json')}`, '--secrets', file('secrets.json'),
        '--http-fixtures', file('http-fixtures.json'), '--cache-dir', cacheDir, '--format', 'json',
      ]);
      expect(evaluated.status, evaluated.stderr).toBe(0);
      expect(JSON.parse(evaluated.stdout)).toMatchObject({ entrypoint: 'data.kyc_screen.allow', allow: true });
    },
    2 * BUILD_TIMEOUT_MS,
  );

  test(
    "validate against another oracle's output schema → exit 1 with the violations",
    async () => {
      const r = await newton(['policy-data', 'validate', '--wasm', wasm(), '--schema', 'examples/oracles/gas-price/output_schema.json', ...replayFlags()]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('NEWTON_ERR_POLICY_DATA_OUTPUT_SCHEMA_VIOLATION');
      expect(JSON.parse(r.stdout).valid).toBe(false);
    },
    BUILD_TIMEOUT_MS,
  );
});
