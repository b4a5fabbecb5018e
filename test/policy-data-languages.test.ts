// The kyc-screen oracle in JavaScript, Python and Rust (examples/oracles/kyc-screen{,-py,-rs}):
// byte-identical output through the host on the same fixtures and the same decisions through the
// policy; and how buildPolicyData picks, caches and checks the Python and Rust toolchains.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NewtonError, Policy, PolicyDataHost, buildPolicyData, mergePolicyDataOutputs, type PolicyDataModule, type TaskIntent } from '../bindings/dist/index.js';
import { newton } from './helpers/cli.js';
import { startFixtureServer, type FixtureServer, type RecordedRequest } from './helpers/fixture-server.js';
import { makeTempDir, writeFiles } from './helpers/newton.js';
import { RUST_BUILD_TIMEOUT_MS, buildCacheDir, cargoTargetDir, oracle } from './helpers/oracle-build.js';
import { repoRoot } from './helpers/paths.js';

const example = path.join(repoRoot, 'examples/oracles/kyc-screen');
const read = (file: string) => fs.readFileSync(path.join(example, file), 'utf8');
const SOURCES = {
  javascript: 'examples/oracles/kyc-screen/oracle.js',
  python: 'examples/oracles/kyc-screen-py/oracle.py',
  rust: 'examples/oracles/kyc-screen-rs',
} as const;
type Language = keyof typeof SOURCES;
const LANGUAGES = Object.keys(SOURCES) as Language[];

let server: FixtureServer;
let cacheDir: string;
let tmp: string;
const modules = {} as Record<Language, PolicyDataModule>;
const policy = Policy.compileSync([{ path: 'policy.rego', source: read('policy.rego') }], 'kyc_screen.allow', { paramsSchema: read('params_schema.json') });
const denyPolicy = Policy.compileSync([{ path: 'policy.rego', source: read('policy.rego') }], 'kyc_screen.deny');

beforeAll(async () => {
  server = await startFixtureServer();
  cacheDir = makeTempDir('pd-languages');
  tmp = makeTempDir('pd-languages-src');
  const host = new PolicyDataHost({ allowHosts: [server.hostPort], cacheDir });
  for (const language of LANGUAGES) modules[language] = await host.load(await oracle(SOURCES[language]));
}, RUST_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  for (const dir of [cacheDir, tmp]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The policy's answer to an output: allow and the deny reasons. */
function decision(output: string) {
  const request = { intent: JSON.parse(read('intent.json')) as TaskIntent, params: JSON.parse(read('params.json')), wasm: mergePolicyDataOutputs([output]) };
  return { allow: policy.evaluateSync(request).allow, deny: denyPolicy.evaluateSync(request).result };
}

/** Each language's output for the same run, asserted byte-identical; returns it. */
async function sameOutput(args: unknown, options: Parameters<PolicyDataModule['run']>[1] = {}): Promise<string> {
  const outputs: Record<string, string> = {};
  for (const language of LANGUAGES) outputs[language] = (await modules[language].run(args, options)).output;
  expect(outputs.python).toBe(outputs.javascript);
  expect(outputs.rust).toBe(outputs.javascript);
  return outputs.javascript as string;
}

describe('kyc-screen in three languages', () => {
  const sender = '0xd232c8d0dc8069eba108954a5f2307752547df1a';
  const key = 'test-key-123';
  const serve = (kyc: object | null, lists: string[] = []) => {
    const auth = (req: RecordedRequest, body: object) => (req.headers['x-api-key'] === key ? { body } : { status: 401, body: { error: 'bad key' } });
    server.route(`GET /v1/addresses/${sender}/sanctions`, (req) => auth(req, { address: sender, identifications: lists.map((name) => ({ category: 'sanctions', name })) }));
    server.route(`GET /v1/addresses/${sender}/kyc`, (req) => (kyc ? auth(req, kyc) : { status: 404, body: { error: 'unknown address' } }));
  };
  const live = (withKey = true, args: object = { kyc_screen: { address: sender, base_url: `${server.origin}/` } }) =>
    sameOutput(args, withKey ? { secrets: { KYC_API_KEY: key } } : {});

  test('the Python and Rust components import only newton:provider interfaces', () => {
    expect(modules.python.imports).toEqual(['newton:provider/http@0.2.0', 'newton:provider/secrets@0.2.0', 'newton:provider/tlsn@0.2.0']);
    expect(modules.rust.imports).toEqual(['newton:provider/http@0.2.0', 'newton:provider/secrets@0.2.0']);
  });

  test('replay from the committed fixtures: the same bytes from all three, equal to wasm.json, and the policy allows', async () => {
    const output = await sameOutput(read('wasm_args.json'), { httpMode: 'replay', httpFixtures: read('http-fixtures.json'), secrets: read('secrets.json') });
    expect(JSON.parse(output)).toEqual(JSON.parse(read('wasm.json')));
    expect(decision(output)).toEqual({ allow: true, deny: [] });
  });

  test.each([
    ['approved, unlisted', { status: 'approved', country: 'US' }, [], { allow: true, deny: [] }],
    ['sanctioned', { status: 'approved', country: 'US' }, ['SANCTIONS: OFAC SDN List', 'UN'], { allow: false, deny: ['sender is on sanctions lists ["SANCTIONS: OFAC SDN List", "UN"]'] }],
    ['KYC pending', { status: 'pending', country: 'US' }, [], { allow: false, deny: ['KYC status is pending, not approved'] }],
    ['unknown (404)', null, [], { allow: false, deny: ['KYC status is none, not approved'] }],
    ['a blocked country', { status: 'approved', country: 'KP' }, [], { allow: false, deny: ['country KP is blocked'] }],
    ['a non-string status and no country', { status: 7 }, [], { allow: false, deny: ['KYC status is 7, not approved'] }],
  ])('live, %s: the same bytes and the same decision', async (_, kyc, lists, expected) => {
    serve(kyc, lists);
    expect(decision(await live())).toEqual(expected);
  });

  test('no secrets → HTTP 401 → the same error output → DENY', async () => {
    serve({ status: 'approved', country: 'US' });
    const output = await live(false);
    expect(JSON.parse(output).kyc_screen.error).toBe(`GET ${server.origin}/v1/addresses/${sender}/sanctions: HTTP 401`);
    expect(decision(output).allow).toBe(false);
  });

  test.each([
    ['a short address', { address: '0x1234', base_url: 'https://x.example' }],
    ['no base_url', { address: sender }],
    ['an ftp base_url', { address: sender, base_url: 'ftp://x.example' }],
  ])('bad wasm_args (%s): the same error output from all three', async (_, args) => {
    const output = await live(true, { kyc_screen: args });
    expect(Object.keys(JSON.parse(output).kyc_screen)).toEqual(['error']);
  });
});

/**
 * A crate in tmp like adversary-rs (same dependencies and profile, so the shared target directory
 * reuses their build) with these sources. Its own package name keeps cargo from handing one crate's
 * .wasm to another build: same-named crates share the uplifted file in a target directory.
 */
function probeCrate(name: string, sources: Record<string, string>): string {
  const adversary = path.join(repoRoot, 'test/fixtures/policy-data/adversary-rs');
  const copy = (file: string) => fs.readFileSync(path.join(adversary, file), 'utf8').replace('name = "adversary-oracle"', `name = "${name}"`);
  const files = writeFiles(path.join(tmp, name), {
    'Cargo.toml': copy('Cargo.toml'),
    // Names sorting before adversary-oracle keep the lock file's order, so --locked accepts it.
    'Cargo.lock': copy('Cargo.lock'),
    'wit/newton-provider.wit': copy('wit/newton-provider.wit'),
    ...sources,
  });
  return path.dirname(files['Cargo.toml'] as string);
}

describe('building Python and Rust oracles', () => {
  test('the example crates carry exact copies of the 0.2.0 WIT', () => {
    const wit = fs.readFileSync(path.join(repoRoot, 'crates/newton-policy-data/wit/0.2.0/newton-provider.wit'), 'utf8');
    for (const crate of ['examples/oracles/kyc-screen-rs', 'test/fixtures/policy-data/adversary-rs']) {
      expect(fs.readFileSync(path.join(repoRoot, crate, 'wit/newton-provider.wit'), 'utf8'), crate).toBe(wit);
    }
  });

  test('the toolchain follows the source, and a second build comes from the cache', async () => {
    for (const [language, toolchain] of [['python', /^componentize-py \d+\.\d+\.\d+$/], ['rust', /^rustc \d+\.\d+\.\d+/]] as const) {
      const built = await buildPolicyData({ source: path.join(repoRoot, SOURCES[language]), cacheDir: buildCacheDir, cargoTargetDir });
      expect(built.language).toBe(language);
      expect(built.toolchain).toMatch(toolchain);
      expect(built.cached).toBe(true);
    }
  });

  test(
    'a .py against --wit 0.1.0 imports only the legacy http and runs',
    async () => {
      const built = await buildPolicyData({ source: path.join(repoRoot, 'test/fixtures/policy-data/echo.py'), wit: '0.1.0', cacheDir: buildCacheDir });
      expect(built.imports).toEqual(['newton:provider/http@0.1.0']);
      const m = await new PolicyDataHost({ cacheDir }).load(built.wasm);
      expect(m.witVersion).toBe('0.1.0');
      expect((await m.run({ a: [1, 'é'] })).output).toBe('{"echo":{"a":[1,"\\u00e9"]}}');
    },
    RUST_BUILD_TIMEOUT_MS,
  );

  test(
    'the cache key covers every source file: changing a module the oracle imports rebuilds it',
    async () => {
      const answers: unknown[] = [];
      for (const answer of [1, 2]) {
        const crate = probeCrate(`aa-probe-${answer}`, {
          'src/lib.rs': 'wit_bindgen::generate!({ world: "newton-provider", path: "wit" });\nmod answer;\nstruct A;\nimpl Guest for A {\n    fn run(_: String) -> Result<String, String> {\n        Ok(format!("{{\\"answer\\":{}}}", answer::ANSWER))\n    }\n}\nexport!(A);\n',
          'src/answer.rs': `pub const ANSWER: u32 = ${answer};\n`,
        });
        const built = await buildPolicyData({ source: crate, cacheDir: buildCacheDir, cargoTargetDir });
        answers.push(JSON.parse((await new PolicyDataHost({ cacheDir }).load(built.wasm).then((m) => m.run('{}'))).output));
      }
      expect(answers).toEqual([{ answer: 1 }, { answer: 2 }]);
    },
    RUST_BUILD_TIMEOUT_MS,
  );

  test(
    'a crate whose module imports WASI is refused, naming the import',
    async () => {
      const crate = probeCrate('aa-wasi-probe', {
        'src/lib.rs': [
          'wit_bindgen::generate!({ world: "newton-provider", path: "wit" });',
          '#[link(wasm_import_module = "wasi:random/random@0.2.0")]',
          'extern "C" {',
          '    #[link_name = "get-random-u64"]',
          '    fn random() -> u64;',
          '}',
          'struct A;',
          'impl Guest for A {',
          '    #[allow(unsafe_code)]',
          '    fn run(_: String) -> Result<String, String> {',
          '        Ok(format!("{{\\"n\\":{}}}", unsafe { random() }))',
          '    }',
          '}',
          'export!(A);',
          '',
        ].join('\n'),
      });
      const err = await buildPolicyData({ source: crate, cargoTargetDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NewtonError);
      expect((err as NewtonError).message).toContain('wasi:random/random@0.2.0');
    },
    RUST_BUILD_TIMEOUT_MS,
  );

  test('a crate with --wit, a directory without Cargo.toml, an unknown extension → INVALID_ARGUMENT', async () => {
    const files = writeFiles(path.join(tmp, 'kinds'), { 'empty/README': 'x', 'oracle.rb': 'puts 1' });
    for (const options of [
      { source: path.join(repoRoot, SOURCES.rust), wit: '0.2.0' },
      { source: path.dirname(files['empty/README'] as string) },
      { source: files['oracle.rb'] as string },
    ]) {
      const err = await buildPolicyData(options).catch((e: unknown) => e);
      expect((err as NewtonError).code, options.source).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    }
  });

  test('the CLI builds a crate and a .py (from the cache) and names the language and toolchain', async () => {
    for (const [source, language] of [[SOURCES.rust, 'rust'], [SOURCES.python, 'python']] as const) {
      const out = path.join(tmp, `${language}.wasm`);
      const r = await newton(['policy-data', 'build', source, '--out', out, '--cache-dir', buildCacheDir, '--format', 'json']);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ language, cached: true, bytes: fs.statSync(out).size });
    }
  });

  test('without componentize-py the CLI exits 1 with the exact command that installs it', async () => {
    const venv = path.join(tmp, 'no-venv');
    const r = await newton(['policy-data', 'build', SOURCES.python, '--out', path.join(tmp, 'x.wasm')], { env: { NEWTON_PYTHON_VENV: venv } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('NEWTON_ERR_INVALID_ARGUMENT');
    expect(r.stderr).toContain(`python3 -m venv ${venv} && ${venv}/bin/pip install componentize-py==0.25.1`);
  });
});
