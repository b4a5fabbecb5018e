// The example policies under examples/: each one's example.json manifest holds together, its
// policy_test.rego passes, and its sample files give the decision its README promises, plus
// boundary scenarios the Rego tests cannot reach (e.g. KYC dates with the real builtins).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  Policy,
  runPolicyTestsSync,
  type EvaluationRequest,
  type PolicyModule,
  type TaskIntent,
} from '../bindings/dist/index.js';
import { thrown, word } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';

const examplesDir = path.join(repoRoot, 'examples');

/** examples/<name>/example.json. */
interface Manifest {
  description: string;
  entrypoint: string;
  intents: Record<string, string>;
  params?: string;
  params_schema?: string;
  wasm?: string;
  identity?: string;
  confidential?: string;
  reference_date?: string;
}

const dataFiles = ['params', 'params_schema', 'wasm', 'identity', 'confidential'] as const;

type Request = EvaluationRequest & { intent: TaskIntent };

interface Example {
  dir: string;
  manifest: Manifest;
  /** A module examples/<name>/<file>, as the policy API takes it. */
  module(file: string): PolicyModule;
  /** The policy compiled with the manifest's params schema (cached per entrypoint). */
  policy(entrypoint?: string): Policy;
  /** The request the manifest describes for its intent `label`: the intent, data files and reference date. */
  request(label: string): Request;
}

const uint = (n: bigint) => word(n.toString(16));
/** Calldata for transfer(address,uint256) (selector 0xa9059cbb). */
const transferData = (to: string, amount: bigint) => `0xa9059cbb${word(to)}${uint(amount)}`;

/** The manifest's sibling rule `<package>.deny`, which lists the reasons for a refusal. */
const denyRule = (m: Manifest) => m.entrypoint.replace(/\.allow$/, '.deny');

function decides(policy: Policy, request: EvaluationRequest, allow: boolean, reasonPart?: string) {
  const d = policy.evaluateSync(request);
  expect(d.allow).toBe(allow);
  if (reasonPart !== undefined) expect(d.reason).toContain(reasonPart);
}

function loadExample(name: string): Example {
  const dir = path.join(examplesDir, name);
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  const json = (file: string | undefined) => (file === undefined ? undefined : JSON.parse(read(file)));
  const manifest: Manifest = json('example.json');
  const module = (file: string) => ({ path: `examples/${name}/${file}`, source: read(file) });
  const compiled = new Map<string, Policy>();
  return {
    dir,
    manifest,
    module,
    policy(entrypoint = manifest.entrypoint) {
      let p = compiled.get(entrypoint);
      if (!p) {
        const paramsSchema = manifest.params_schema && read(manifest.params_schema);
        p = Policy.compileSync([module('policy.rego')], entrypoint, { paramsSchema });
        compiled.set(entrypoint, p);
      }
      return p;
    },
    request(label) {
      const intentFile = manifest.intents[label];
      if (intentFile === undefined) throw new Error(`examples/${name}/example.json lists no intent "${label}"`);
      return {
        intent: json(intentFile),
        params: json(manifest.params),
        wasm: json(manifest.wasm),
        identity: json(manifest.identity),
        confidential: json(manifest.confidential),
        reference_date: manifest.reference_date,
      };
    },
  };
}

const described: string[] = [];

/** A `describe` for examples/<name>: the manifest and policy_test.rego checks, then `scenarios`. */
function describeExample(name: string, scenarios: (ex: Example) => void) {
  described.push(name);
  describe(name, () => {
    const ex = loadExample(name);

    test('example.json: its files exist, the policy compiles and every intent evaluates', () => {
      const { manifest } = ex;
      const files = [...Object.values(manifest.intents), ...dataFiles.flatMap((k) => manifest[k] ?? [])];
      expect(Object.keys(manifest.intents).length).toBeGreaterThan(0);
      for (const file of files) expect(fs.existsSync(path.join(ex.dir, file)), file).toBe(true);
      const policy = ex.policy();
      expect(policy.entrypoint).toBe(`data.${manifest.entrypoint}`);
      for (const label of Object.keys(manifest.intents)) {
        expect(typeof policy.evaluateSync(ex.request(label)).allow, label).toBe('boolean');
      }
    });

    test('policy_test.rego passes', () => {
      const report = runPolicyTestsSync([ex.module('policy.rego'), ex.module('policy_test.rego')]);
      expect(report.results.length).toBeGreaterThan(0);
      const notPassing = report.results.filter((t) => t.outcome !== 'pass');
      expect(notPassing.map((t) => `${t.name}: ${t.outcome}`)).toEqual([]);
    });

    scenarios(ex);
  });
}

describeExample('spend-limit', (ex) => {
  const base = ex.request('intent');
  const alice = '0x8f86403a4de0bb5791fa46b8e795c547942fe4cf';
  const transfer = (to: string, amount: bigint) => ({ ...base.intent, data: transferData(to, amount) });
  const big = { ...base.params, max_amount: (10n ** 21n).toString() };

  test('intent.json (250 USDC to alice on Sepolia) -> ALLOW', () => decides(ex.policy(), base, true));
  test('amount == max_amount -> ALLOW', () =>
    decides(ex.policy(), { ...base, intent: transfer(alice, 1000000000n) }, true));
  test('amount == max_amount + 1 -> DENY', () =>
    decides(ex.policy(), { ...base, intent: transfer(alice, 1000000001n) }, false));
  test('deny reason for max + 1', () =>
    decides(
      ex.policy(denyRule(ex.manifest)),
      { ...base, intent: transfer(alice, 1000000001n) },
      false,
      'amount 1000000001 exceeds max_amount 1000000000',
    ));
  test('18 decimals, amount == 10^21 == max -> ALLOW', () =>
    decides(ex.policy(), { ...base, intent: transfer(alice, 10n ** 21n), params: big }, true));
  test('18 decimals, amount == 10^21 + 1 -> DENY', () =>
    decides(ex.policy(), { ...base, intent: transfer(alice, 10n ** 21n + 1n), params: big }, false));
  test('blocked recipient (0x…dEaD) -> DENY', () =>
    decides(ex.policy(), { ...base, intent: transfer('0x000000000000000000000000000000000000dead', 1n) }, false));
  test('chain 1 not allowed -> DENY', () =>
    decides(ex.policy(), { ...base, intent: { ...base.intent, chain_id: '0x1' } }, false));
  test('params violating params_schema.json -> throws NEWTON_ERR_PARAMS_SCHEMA_VIOLATION', () => {
    const request = { ...base, params: { ...base.params, max_amount: '1e9' } };
    const err = thrown(() => ex.policy().evaluateSync(request));
    expect(err).toMatchObject({ code: 'NEWTON_ERR_PARAMS_SCHEMA_VIOLATION' });
  });
});

describeExample('sanctions', (ex) => {
  const listed = ex.request('listed');
  const clean = ex.request('clean');
  const tornado = '0xd90e2f925da726b50c4ed8d0fb90ad053324f31b';
  const plainTransferTo = (to: string) => ({ ...clean.intent, to, data: '0x', function_signature: '0x' });

  test('intent.json (USDC transfer to a blacklisted recipient) -> DENY', () => decides(ex.policy(), listed, false));
  test('deny names the decoded recipient', () =>
    decides(
      ex.policy(denyRule(ex.manifest)),
      listed,
      false,
      `transfer.param0 ${tornado} is on the confidential blacklist`,
    ));
  test('intent.clean.json -> ALLOW', () => decides(ex.policy(), clean, true));
  test('blacklisted sender (input.from) -> DENY', () =>
    decides(ex.policy(), { ...clean, intent: { ...clean.intent, from: tornado } }, false));
  test('blacklisted target (input.to), plain ETH transfer -> DENY', () =>
    decides(ex.policy(), { ...clean, intent: plainTransferTo(tornado) }, false));
  test('checksummed blacklist entry matches lowercase input', () =>
    decides(ex.policy(), { ...clean, intent: plainTransferTo('0x722122df12d4e14e13ac3b6895a86e84145b6967') }, false));
  test('empty blacklist -> ALLOW', () =>
    decides(ex.policy(), { ...listed, confidential: { blacklist: { addresses: [] } } }, true));
  test('no confidential data -> DENY (builtin error, fail closed)', () =>
    decides(ex.policy(), { intent: clean.intent }, false, 'no blacklist data'));
});

describeExample('kyc', (ex) => {
  const base = ex.request('intent');
  const { identity, reference_date, ...noIdentityNoDate } = base;
  const kyc = (patch: Record<string, string>) => ({ ...base, identity: { kyc: { ...identity?.kyc, ...patch } } });
  const receiver = '0x8f86403a4de0bb5791fa46b8e795c547942fe4cf';

  test(`identity.json @ ${reference_date} -> ALLOW`, () => decides(ex.policy(), base, true));
  test('18th birthday on the reference date (2008-01-15) -> ALLOW', () =>
    decides(ex.policy(), kyc({ birthdate: '2008-01-15' }), true));
  test('one day short of 18 (2008-01-16) -> DENY', () =>
    decides(ex.policy(), kyc({ birthdate: '2008-01-16' }), false));
  test('document expires on the reference date -> ALLOW', () =>
    decides(ex.policy(), kyc({ expiration_date: '2026-01-15' }), true));
  test('document expired the day before -> DENY', () =>
    decides(ex.policy(), kyc({ expiration_date: '2026-01-14' }), false));
  test('status pending -> DENY', () => decides(ex.policy(), kyc({ status: 'pending' }), false));
  test('address country FR -> DENY', () => decides(ex.policy(), kyc({ address_country_code: 'FR' }), false));
  test('same identity, later reference date 2030-01-02 -> DENY (expired)', () =>
    decides(ex.policy(), { ...base, reference_date: '2030-01-02' }, false));
  test('no reference date -> DENY (never the wall clock)', () =>
    decides(ex.policy(), { ...noIdentityNoDate, identity }, false, 'no reference date'));
  test('no identity linked -> DENY', () => decides(ex.policy(), { ...noIdentityNoDate, reference_date }, false));
  test('deposit for another receiver -> DENY', () =>
    decides(
      ex.policy(),
      { ...base, intent: { ...base.intent, data: `0x6e553f65${uint(1000000000n)}${word(receiver)}` } },
      false,
    ));
});

describeExample('gas-oracle', (ex) => {
  const base = ex.request('intent');

  test('intent.json (Sepolia, oracle 12.5 gwei, max 20) -> ALLOW', () => decides(ex.policy(), base, true));
  test('price == max_gwei -> ALLOW', () => decides(ex.policy(), { ...base, params: { max_gwei: 12.5 } }, true));
  test('price > max_gwei -> DENY', () => decides(ex.policy(), { ...base, params: { max_gwei: 12.4 } }, false));
  test('chain without an oracle price (Optimism Sepolia) -> DENY', () =>
    decides(ex.policy(), { ...base, intent: { ...base.intent, chain_id: '0xaa37dc' } }, false));
  test('oracle error -> DENY', () =>
    decides(ex.policy(), { ...base, wasm: { ...base.wasm, error: 'rpc timeout' } }, false));
});

describeExample('quickstart-style', (ex) => {
  const base = ex.request('intent');
  const otherAddress = '0xF4D520149541f948F6dA99EAeC6Ef6d699690bA3';

  test('intent.json + wasm.json (approved, not sanctioned, risk 2) -> ALLOW', () => decides(ex.policy(), base, true));
  test('oracle screened another address -> DENY', () =>
    decides(ex.policy(), { ...base, wasm: { ...base.wasm, address: otherAddress } }, false));
  test('risk score 5 > 4 -> DENY', () =>
    decides(ex.policy(), { ...base, wasm: { ...base.wasm, risk_score: 5 } }, false));
  test('kyc denied, check_kyc off -> ALLOW', () =>
    decides(
      ex.policy(),
      { ...base, params: { ...base.params, check_kyc: false }, wasm: { ...base.wasm, kyc_status: 'denied' } },
      true,
    ));
});

test('every examples/* folder with an example.json has a describe block above', () => {
  const withManifest = fs
    .readdirSync(examplesDir)
    .filter((name) => fs.existsSync(path.join(examplesDir, name, 'example.json')));
  expect([...described].sort()).toEqual(withManifest.sort());
});
