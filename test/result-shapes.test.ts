// Issue 11: every result type the TS API declares by hand and fills with JSON that Rust writes is
// checked against real Rust output. Schemas are generated from the source types
// (helpers/result-schema.ts: additionalProperties false, Hex as ^0x…), so a key missing, extra,
// renamed or retyped on either side fails here. One `it` per type, and a guard that fails when a
// `JSON.parse(…) as T` appears in bindings/src whose T is not checked here:
//
// | TS type (bindings/src)               | produced by                                   | written in Rust by                                                  |
// |--------------------------------------|-----------------------------------------------|---------------------------------------------------------------------|
// | ErrorCodeEntry                       | errorCodes()                                  | bindings/napi/src/error.rs error_codes (json! over newton_core::ErrorCode) |
// | ErrorInfo                            | every native error (NewtonError's source)     | newton_core::Error, crates/newton-core/src/error.rs                 |
// | ParsedIntent                         | parseIntent                                   | newton_types::parse_intent (json!), crates/newton-types/src/parsed_intent.rs |
// | ModuleIdentifiers                    | Policy.modules                                | newton_policy::ModuleInfo, crates/newton-policy/src/compile.rs      |
// | CheckedModule                        | checkPolicy                                   | newton_policy::check::CheckedModule, crates/newton-policy/src/check.rs |
// | Decision                             | Policy.evaluate / evaluateSync                | newton_policy::Decision, crates/newton-policy/src/evaluate.rs       |
// | TestReport, TestResult, coverage     | runPolicyTests / runPolicyTestsSync           | newton_policy::testing::{TestReport, TestResult, Coverage, FileCoverage}, crates/newton-policy/src/testing.rs |
// | RunResult                            | PolicyDataModule.run / runSync                | newton_policy_data::RunResult::to_json, crates/newton-policy-data/src/json.rs |
// | PreparedData, PolicyDataOutput       | TaskEvaluator.prepare, operatorConsensus      | newton_operator::{PreparedData, PolicyDataOutput}, crates/newton-operator/src/prepared.rs |
// | SimulationResult                     | TaskEvaluator.simulate                        | newton_operator::Simulated, crates/newton-operator/src/simulate.rs |
// | SignedTaskResponse (+ its task_response as NewtonTaskResponse) | TaskEvaluator.commit / evaluateAndSign | newton_operator::SignedTaskResponse, crates/newton-operator/src/commit.rs (task_response: newton_types sol_json::TaskResponse) |
// | Certificate                          | Aggregator.aggregate / add                    | newton_attestation::Certificate, crates/newton-attestation/src/certificate.rs |
// | Rejection                            | Aggregator.rejected                           | newton_attestation::Rejection, crates/newton-attestation/src/aggregator.rs |
// | AttestationBundle                    | attestationBundle                             | newton_attestation::AttestationBundle, crates/newton-attestation/src/bundle.rs |
// | ValidationReport, CheckOutcome       | AttestationValidator.validate / validateSync  | newton_attestation::validator::{Report, CheckOutcome}, crates/newton-attestation/src/validator.rs |
// | OperatorEntry (operator set file)    | OperatorRegistry.toJson                       | newton_attestation::OperatorEntry, crates/newton-attestation/src/operators.rs |
// | StoredEnvelope                       | PrivacyStore.envelope                         | bindings/napi/src/privacy.rs PrivacyStore::envelope (json!)         |
// | LinkedIdentity                       | PrivacyStore.linkedIdentity                   | newton_privacy::LinkedIdentity, crates/newton-privacy/src/identity.rs |
// | DataVersion                          | PrivacyStore.publishConfidential / versions   | newton_privacy::DataVersion, crates/newton-privacy/src/confidential.rs |
// | Grant                                | PrivacyStore.grants                           | newton_privacy::Grant, crates/newton-privacy/src/confidential.rs    |
// | Hex (native strings cast `as Hex`)   | Aggregator.message, consensusDigest, TaskEvaluator.publicKey, envelopeDataRefId, PrivacyStore.uploadIdentity, policyCodeHash, taskId, taskHash | B256 / FixedBytes Display and hex::encode_prefixed in bindings/napi/src/{attestation,operator,privacy,identifiers}.rs |
// | '0.2.0' \| '0.1.0'                   | PolicyDataModule.witVersion                   | newton_policy_data::WitVersion::as_str, crates/newton-policy-data/src/inspect.rs |
//
// Not here: PrivacyKeyPair, GeneratedKeystore and KeyInfo cross as napi objects whose types napi-rs
// generates (binding.d.cts, checked by tsc); mergePolicyDataOutputs returns an open Record;
// policyId, taskResponseHash and attestationHash (`as Hex`) are matched byte for byte with viem in
// operator-api.test.ts.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { encodeAbiParameters, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Binding from '../bindings/binding.cjs';
import {
  Aggregator,
  AttestationValidator,
  BlsSigner,
  Policy,
  PolicyDataHost,
  PrivacyStore,
  TaskEvaluator,
  attestationBundle,
  checkPolicy,
  consensusDigest,
  domainId,
  envelopeDataRefId,
  errorCodes,
  generatePrivacyKey,
  operatorConsensus,
  parseIntent,
  policyCodeHash,
  runPolicyTests,
  sealEnvelopeSync,
  taskHash,
  taskId,
  type PolicyModule,
  type TaskIntent,
} from '../bindings/dist/index.js';
import { CALLER, CHAIN_ID, EXPIRATION, context, operators, response, task as baseTask } from './helpers/attestation.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import { makeTempDir, rpcTransferIntent, thrown, utf8Hex } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';
import * as wat from './helpers/policy-data-wat.js';
import { resultShapes } from './helpers/result-schema.js';

const TYPES = [
  'ErrorCodeEntry', 'ErrorInfo', 'ParsedIntent', 'ModuleIdentifiers', 'CheckedModule', 'Decision', 'TestReport', 'RunResult',
  'PreparedData', 'SignedTaskResponse', 'NewtonTaskResponse', 'Certificate', 'Rejection', 'AttestationBundle', 'ValidationReport',
  'OperatorEntry', 'StoredEnvelope', 'LinkedIdentity', 'DataVersion', 'Grant', 'Hex', 'SimulationResult',
];

let shape: ReturnType<typeof resultShapes>;
beforeAll(() => {
  shape = resultShapes(TYPES);
});
/** `value` conforms to TS type `name` (`name[]`: a non-empty array of it); failures list path and key. */
const conforms = (name: string, value: unknown) => expect(shape(name, value), name).toEqual([]);

const dir = makeTempDir('result-shapes');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const example = (file: string) => fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8');
const exampleJson = (file: string) => JSON.parse(example(file)) as Record<string, unknown>;
const GAS: PolicyModule[] = ['policy.rego', 'policy_test.rego'].map((f) => ({ path: f, source: example(`gas-oracle/${f}`) }));
const gasPolicy = () => Policy.compile([GAS[0]!], 'max_gas_price.allow', { paramsSchema: example('gas-oracle/params_schema.json') });
const oracle = (gwei: number) => wat.returning(JSON.stringify({ gas_price_gwei: { [CHAIN_ID]: gwei } }));

it('every `JSON.parse(…) as T` in bindings/src has its type checked here', () => {
  const src = path.join(repoRoot, 'bindings/src');
  const casts = fs
    .readdirSync(src)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...fs.readFileSync(path.join(src, f), 'utf8').matchAll(/JSON\.parse\([^;]*?\)\s*as\s+([A-Z]\w*)/g)])
    .map((m) => m[1]!)
    .filter((t) => t !== 'Record');
  expect(casts.length).toBeGreaterThan(10);
  expect([...new Set(casts)].filter((t) => !TYPES.includes(t))).toEqual([]);
});

it('the checker refuses an extra key, a missing key and a Hex without 0x', () => {
  const row = { domain: 'kyc', owner: `0x${'aa'.repeat(20)}`, data_ref_id: `0x${'bb'.repeat(32)}` };
  expect(shape('LinkedIdentity', row)).toEqual([]);
  expect(shape('LinkedIdentity', { ...row, extra: 1 })).toEqual(['/ must NOT have additional properties (extra)']);
  expect(shape('LinkedIdentity', { ...row, owner: 'aa'.repeat(20) })).toEqual(['/owner must match pattern "^0x.*$"']);
  expect(shape('LinkedIdentity[]', [{ domain: 'kyc', owner: row.owner }])).toEqual(["/0 must have required property 'data_ref_id'"]);
});

it('ErrorCodeEntry', () => {
  conforms('ErrorCodeEntry[]', errorCodes());
});

it('ErrorInfo', () => {
  const native = createRequire(import.meta.url)('../bindings/binding.cjs') as typeof Binding;
  const info = (fn: () => unknown) => JSON.parse((thrown(fn) as Error).message) as { details?: unknown };
  const parse = info(() => native.checkPolicySync([{ path: 'p.rego', source: 'package p\nallow if {' }]));
  expect(parse.details).toBeDefined();
  conforms('ErrorInfo', parse);
  conforms('ErrorInfo', info(() => native.parseIntent('{')));
});

it('ParsedIntent', () => {
  const plain = parseIntent(example('gas-oracle/intent.json'));
  const call = parseIntent(rpcTransferIntent());
  expect([plain.function, call.function?.name]).toEqual([null, 'transfer']);
  conforms('ParsedIntent', plain);
  conforms('ParsedIntent', call);
});

it('ModuleIdentifiers', async () => {
  conforms('ModuleIdentifiers[]', (await gasPolicy()).modules);
});

it('CheckedModule', () => {
  conforms('CheckedModule[]', checkPolicy(GAS));
});

it('Decision', async () => {
  const policy = await gasPolicy();
  const request = (gwei: number) => ({
    intent: JSON.parse(example('gas-oracle/intent.json')) as TaskIntent,
    params: exampleJson('gas-oracle/params.json'),
    wasm: { gas_price_gwei: { [CHAIN_ID]: gwei } },
  });
  const erroring = Policy.compileSync([{ path: 'p.rego', source: 'package p\nallow if to_number("x") == 1\n' }], 'p.allow');
  const decisions = [await policy.evaluate(request(12.5)), policy.evaluateSync(request(25)), erroring.evaluateSync({})];
  expect(decisions.map((d) => [d.allow, d.reason !== undefined, d.error?.code])).toEqual([
    [true, false, undefined],
    [false, true, undefined],
    [false, true, 'NEWTON_ERR_POLICY_EVAL'],
  ]);
  for (const d of decisions) conforms('Decision', d);
});

it('TestReport', async () => {
  const extra = {
    path: 'shapes_test.rego',
    source: `package shapes_test
import data.max_gas_price
test_fails if {
	print("no oracle data")
	max_gas_price.allow
}
test_errors if to_number("x") == 1
todo_test_later if true
`,
  };
  const report = await runPolicyTests([...GAS, extra], { coverage: true });
  const byName = Object.fromEntries(report.results.map((r) => [r.name.split('.').at(-1), r]));
  expect(report.passed).toBeGreaterThan(0);
  expect([report.failed, report.errored, report.skipped]).toEqual([1, 1, 1]);
  expect(byName.test_fails).toMatchObject({ outcome: 'fail', prints: [expect.stringContaining('no oracle data')] });
  expect(byName.test_errors?.error?.code).toBe('NEWTON_ERR_POLICY_EVAL');
  expect(report.coverage?.files.length).toBeGreaterThan(0);
  conforms('TestReport', report);
});

describe('PolicyData and the operator', () => {
  const host = new PolicyDataHost();
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer({ 'GET /price': { body: { price: 42 } } });
  });
  afterAll(() => server.close());

  it("PolicyDataModule's witVersion", async () => {
    const versions = await Promise.all(['0.2.0', '0.1.0'].map(async (v) => host.loadSync(await wat.fetching('http://x/', 1, v)).witVersion));
    expect(versions).toEqual(['0.2.0', '0.1.0']);
  });

  it('RunResult', async () => {
    const plain = host.loadSync(await oracle(12.5)).runSync();
    const open = new PolicyDataHost({ allowHosts: [server.hostPort] });
    const fetching = open.loadSync(await wat.fetching(`${server.origin}/price`));
    const recorded = await fetching.run({}, { httpMode: 'record' });
    const live = await fetching.run();
    expect(server.requests).toHaveLength(2);
    expect(JSON.stringify(recorded)).toContain('/price');
    for (const r of [plain, recorded, live]) conforms('RunResult', r);
  });

  /** The helpers' task with whole `transfer(address,uint256)` calldata, as operator-api.test.ts builds it. */
  function task() {
    const t = baseTask();
    const args = encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [`0x${'0d'.repeat(20)}`, 5n]);
    return { ...t, intent: { ...t.intent, data: `0xa9059cbb${args.slice(2)}` as Hex } };
  }

  /** An operator running examples/gas-oracle (max 20 gwei) on an oracle reporting `gwei`. */
  async function operator(seed: number, gwei: number): Promise<TaskEvaluator> {
    const op = new TaskEvaluator({ signer: BlsSigner.fromSecretKey(new Uint8Array(32).fill(seed)), host });
    await op.setPolicy(task().policyClient, {
      policyId: `0x${'5a'.repeat(32)}`,
      policyAddress: `0x${'0b'.repeat(20)}`,
      policyCid: await op.addPolicy(GAS[0]!.source, 'max_gas_price.allow'),
      policyConfig: { policyParams: utf8Hex(example('gas-oracle/params.json')) as Hex, expireAfter: 60 },
      policyData: [{ address: `0x${'d1'.repeat(20)}`, wasmCid: await op.addPolicyData(await oracle(gwei)), expireAfter: 10 }],
    });
    return op;
  }

  it('PreparedData', async () => {
    const [a, b] = [await operator(1, 12.5), await operator(2, 13)];
    const prepared = [await a.prepare(task()), await b.prepare(task())];
    const agreed = operatorConsensus(prepared);
    expect([agreed.task_id, agreed.policy_data.length]).toEqual([prepared[0]!.task_id, 1]);
    for (const p of [...prepared, agreed]) conforms('PreparedData', p);
  });

  it('SimulationResult', async () => {
    const simulator = new TaskEvaluator({ host });
    const policy = await gasPolicy();
    const simulated = [
      await simulator.simulate(policy, {
        intent: rpcTransferIntent(),
        params: exampleJson('gas-oracle/params.json'),
        policy_data: [{ wasm_cid: await simulator.addPolicyData(await oracle(12.5)) }],
      }),
      await simulator.simulate(policy, { input: { chain_id: String(CHAIN_ID) }, params: exampleJson('gas-oracle/params.json'), wasm: {} }),
    ];
    expect(simulated.map((r) => [r.decision.allow, r.policy_data.length])).toEqual([[true, 1], [false, 0]]);
    for (const r of simulated) conforms('SimulationResult', r);
  });

  it('SignedTaskResponse', async () => {
    const allowing = await operator(3, 12.5);
    const signed = [
      await allowing.commit(task(), await allowing.prepare(task())),
      await (await operator(4, 25)).evaluateAndSign(task()),
    ];
    expect(signed.map((s) => s.decision.allow)).toEqual([true, false]);
    for (const s of signed) {
      conforms('SignedTaskResponse', s);
      // Typed Record<string, unknown> here; it is what Aggregator.forTask takes as a NewtonTaskResponse.
      conforms('NewtonTaskResponse', s.task_response);
    }
  });
});

it('Hex (native strings cast `as Hex`)', () => {
  const t = baseTask();
  const signer = BlsSigner.fromSecretKey(new Uint8Array(32).fill(9));
  const envelope = sealEnvelopeSync('x', { recipientPublicKey: generatePrivacyKey().publicKey, policyClient: CALLER, chainId: CHAIN_ID });
  const values = {
    'Aggregator.message': Aggregator.forMessage(operators([100]).registry, consensusDigest(response()), [0]).message,
    consensusDigest: consensusDigest(response()),
    'TaskEvaluator.publicKey': new TaskEvaluator({ signer, host: new PolicyDataHost() }).publicKey,
    'generatePrivacyKey().publicKey': generatePrivacyKey().publicKey,
    'generatePrivacyKey().secretKey': generatePrivacyKey().secretKey,
    envelopeDataRefId: envelopeDataRefId(envelope),
    policyCodeHash: policyCodeHash(GAS[0]!.source),
    taskId: taskId(t.policyClient, t.intent, t.initializationTimestamp, 1),
    taskHash: taskHash(t),
  };
  // PrivacyStore.uploadIdentity's: see LinkedIdentity (it equals a checked data_ref_id).
  expect(Object.entries(values).filter(([, v]) => shape('Hex', v).length > 0)).toEqual([]);
});

describe('attestation', () => {
  const { registry, ops } = operators([100, 100, 100, 100]);
  const digest = consensusDigest(response());
  const aggregator = Aggregator.forMessage(registry, digest, [0]);
  const signatures = ops.map((op) => ({ operatorId: op.id, signature: op.sign(digest) }));
  signatures[3]!.signature = ops[3]!.sign(consensusDigest(response(false))); // well-formed, another message
  const certificate = aggregator.aggregateSync(signatures);
  const bundle = attestationBundle(baseTask(), response(), certificate, EXPIRATION);

  it('Certificate', () => {
    expect([certificate.signers.length, certificate.non_signers]).toEqual([3, [ops[3]!.id]]);
    conforms('Certificate', certificate);
  });

  it('Rejection', () => {
    expect(() => aggregator.add(`0x${'77'.repeat(32)}`, ops[0]!.sign(digest))).toThrow();
    const rejected = aggregator.rejected();
    expect(rejected.map((r) => r.code)).toEqual(['NEWTON_ERR_SIGNATURE_INVALID', 'NEWTON_ERR_OPERATOR_UNKNOWN']);
    conforms('Rejection[]', rejected);
  });

  it('AttestationBundle', () => {
    conforms('AttestationBundle', bundle);
  });

  it('ValidationReport', async () => {
    const validator = new AttestationValidator(registry, path.join(dir, 'spent.db'));
    const reports = [
      validator.validateSync(bundle, context({ chainId: 1 })),
      await validator.validate(bundle, context()),
      await validator.validate(bundle, context()),
    ];
    expect(reports.map((r) => r.valid)).toEqual([false, true, false]);
    expect(reports[2]!.checks.at(-1)).toMatchObject({ check: 'single_use', status: 'failed', code: 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT' });
    for (const r of reports) conforms('ValidationReport', r);
  });

  it('OperatorEntry', () => {
    conforms('OperatorEntry[]', JSON.parse(registry.toJson()));
  });
});

describe('privacy store', () => {
  const CLIENT = `0x${'c1'.repeat(20)}` as Hex;
  const DOMAIN = 'newton.confidential.blacklist';
  const account = () => privateKeyToAccount(generatePrivateKey());
  const [owner, provider, clientOwner] = [account(), account(), account()] as const;
  const recipientPublicKey = generatePrivacyKey().publicKey;
  const seal = (plaintext: object, boundTo: string) => sealEnvelopeSync(plaintext, { recipientPublicKey, policyClient: boundTo, chainId: CHAIN_ID });
  let store: PrivacyStore;
  let identityRef: Hex;

  beforeAll(async () => {
    store = await PrivacyStore.open(path.join(dir, 'privacy.db'), CHAIN_ID);
    const envelope = seal(exampleJson('kyc/identity.json').kyc as object, owner.address);
    const upload = { identityOwner: owner.address, identityDomain: domainId('kyc'), dataRefId: envelopeDataRefId(envelope) };
    identityRef = await store.uploadIdentity({ owner: owner.address, domain: 'kyc', envelope, authorization: await store.authorize(owner, 'UploadIdentity', upload) });
    const link = { owner: owner.address, policyClient: CLIENT, user: owner.address, domains: ['kyc'] };
    const linkMessage = { identityOwner: owner.address, policyClient: CLIENT, clientUser: owner.address, identityDomains: [domainId('kyc')] };
    await store.linkIdentity(link, await store.authorize(owner, 'LinkIdentity', linkMessage));
    await store.setPolicyClientOwner(CLIENT, clientOwner.address);
  });

  const publish = async () => {
    const envelope = seal(exampleJson('sanctions/confidential.json').blacklist as object, provider.address);
    const message = { provider: provider.address, domain: domainId(DOMAIN), dataRefId: envelopeDataRefId(envelope) };
    return store.publishConfidential({ provider: provider.address, domain: DOMAIN, envelope, authorization: await store.authorize(provider, 'PublishData', message) });
  };

  it('StoredEnvelope', async () => {
    const stored = [await store.envelope(identityRef), await store.envelope((await publish()).data_ref_id)];
    expect(stored.map((s) => s.kind)).toEqual(['identity', 'confidential']);
    for (const s of stored) conforms('StoredEnvelope', s);
  });

  it('LinkedIdentity', async () => {
    const linked = await store.linkedIdentity(CLIENT, owner.address);
    expect(linked.map((l) => [l.domain, l.data_ref_id])).toEqual([['kyc', identityRef]]);
    conforms('LinkedIdentity[]', linked);
  });

  it('DataVersion', async () => {
    conforms('DataVersion', await publish());
    conforms('DataVersion[]', await store.versions(provider.address, DOMAIN));
  });

  it('Grant', async () => {
    await publish();
    const grant = { provider: provider.address, domain: DOMAIN, policyClient: CLIENT };
    const message = { provider: provider.address, domain: domainId(DOMAIN), policyClient: CLIENT };
    await store.proposeGrant({ ...grant, authorization: await store.authorize(provider, 'ProposeGrant', message) });
    const pending = await store.grants(CLIENT);
    await store.acceptGrant({ ...grant, authorization: await store.authorize(clientOwner, 'AcceptGrant', { policyClientOwner: clientOwner.address, ...message }) });
    const active = await store.grants(CLIENT);
    expect([pending[0]?.state, active[0]?.state]).toEqual(['pending', 'active']);
    conforms('Grant[]', pending);
    conforms('Grant[]', active);
  });
});
