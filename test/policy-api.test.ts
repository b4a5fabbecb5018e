// The TypeScript policy API: Decision semantics, deny-as-value vs caller errors, compile errors,
// the evaluation context a Newton operator builds, identifiers and the policy test runner.
import { describe, expect, it } from 'vitest';
import {
  NewtonError,
  Policy,
  checkPolicy,
  parseIntent,
  policyCid,
  policyCodeHash,
  runPolicyTests,
  runPolicyTestsSync,
  type Decision,
  type EvaluationRequest,
  type TestReport,
} from '../bindings/dist/index.js';
import { ABI_FALSE, ABI_TRUE, compileOne, cryptoCase, rejection, rpcTransferIntent, thrown, utf8Hex, vectors } from './helpers/newton.js';

/** Evaluates `request` both ways and checks sync and async agree before returning the decision. */
async function decide(policy: Policy, request: EvaluationRequest | string = {}): Promise<Decision> {
  const sync = policy.evaluateSync(request);
  const async_ = await policy.evaluate(request);
  expect(async_).toEqual(sync);
  return sync;
}

/** The NewtonError `fn` throws. */
function newtonError(fn: () => unknown): NewtonError {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(NewtonError);
  return err as NewtonError;
}


describe('Decision: allow only when the entrypoint is exactly true', () => {
  it('allows `true` with abi.encode(true) and no reason', async () => {
    const d = await decide(compileOne('package p\n\nallow := true\n'));
    expect(d).toEqual({ allow: true, result: true, evaluation_result: ABI_TRUE });
  });

  // Every non-`true` value is a deny that keeps the raw result and a reason naming it.
  const truthyLookalikes: [string, string, unknown][] = [
    ['the number 1', 'allow := 1', 1],
    ['the string "true"', 'allow := "true"', 'true'],
    ['an empty object', 'allow := {}', {}],
    ['a set containing true', 'allow contains true', [true]],
    ['an array [true]', 'allow := [true]', [true]],
    ['false', 'allow := false', false],
  ];
  it.each(truthyLookalikes)('denies %s, keeping result and reason', async (_, rule, result) => {
    const d = await decide(compileOne(`package p\n\n${rule}\n`));
    expect(d.allow).toBe(false);
    expect(d.result).toEqual(result);
    expect(d.evaluation_result).toBe(ABI_FALSE);
    expect(d.reason).toBe(`data.p.allow is ${JSON.stringify(result)}, not true`);
    expect(d.error).toBeUndefined();
  });

  it('denies an undefined entrypoint without a result', async () => {
    const d = await decide(compileOne('package p\n\nallow if input.ok\n'), { input: { ok: false } });
    expect(d).toEqual({ allow: false, evaluation_result: ABI_FALSE, reason: 'data.p.allow is undefined' });
    expect('result' in d).toBe(false);
  });

  it('treats builtin errors as evaluation errors by default and as undefined with strictBuiltinErrors: false', async () => {
    const source = 'package p\n\nallow if to_number("x") == 1\n';
    const lax = await decide(compileOne(source, { strictBuiltinErrors: false }));
    expect(lax).toEqual({ allow: false, evaluation_result: ABI_FALSE, reason: 'data.p.allow is undefined' });

    const strict = await decide(compileOne(source));
    expect(strict.allow).toBe(false);
    expect(strict.evaluation_result).toBe(ABI_FALSE);
    expect(strict.result).toBeUndefined();
    expect(strict.error?.code).toBe('NEWTON_ERR_POLICY_EVAL');
    expect(strict.error?.details).toMatchObject({ file: 'policy.rego', line: 3 });
    expect(strict.reason).toBe(strict.error?.message);
    expect(strict.reason).toMatch(/^policy\.rego:3:\d+: .*number/);
  });

  it('denies newton.crypto.tlsn_verify with NEWTON_ERR_BUILTIN_UNSUPPORTED (never a fake allow)', async () => {
    const d = await decide(compileOne('package p\n\nallow if newton.crypto.tlsn_verify("presentation", "key")\n'));
    expect(d.allow).toBe(false);
    expect(d.evaluation_result).toBe(ABI_FALSE);
    expect(d.error?.code).toBe('NEWTON_ERR_BUILTIN_UNSUPPORTED');
    expect(d.reason).toContain('newton.crypto.tlsn_verify');
  });

  it('encodes evaluation_result as the 32-byte abi.encode(bool) words of the Newton vectors', async () => {
    const byId = Object.fromEntries(vectors.evaluation_result.cases.map((c) => [c.id, c.value]));
    const allow = await decide(compileOne('package p\n\nallow := true\n'));
    const deny = await decide(compileOne('package p\n\nallow := false\n'));
    expect(allow.evaluation_result).toBe(byId.allow_abi_bool_true);
    expect(deny.evaluation_result).toBe(byId.deny_abi_bool_false);
    for (const d of [allow, deny]) expect(d.evaluation_result).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('reads request text in any script as UTF-8, a lone surrogate as U+FFFD', async () => {
    // A one-byte V8 string whose UTF-8 is longer than its length, then a two-byte one; raw text,
    // as JSON.stringify would escape the lone surrogate.
    const latin = compileOne('package p\n\nallow if input.latin == "café"\n');
    expect((await decide(latin, '{"input":{"latin":"café"}}')).allow).toBe(true);
    expect((await decide(latin, '{"input":{"latin":"cafe"}}')).allow).toBe(false);
    const policy = compileOne('package p\n\nallow if {\n  input.astral == "🦀 ok"\n  input.lone == "\\uFFFD"\n}\n');
    expect((await decide(policy, '{"input":{"astral":"🦀 ok","lone":"\ud800"}}')).allow).toBe(true);
    expect((await decide(policy, { input: { astral: '🦀 ok', lone: '\ufffd' } })).allow).toBe(true);
  });

  it('is deterministic: the same request gives the same decision on every evaluation and every compile', async () => {
    const source = 'package p\n\nallow if to_number(input.value) < data.params.max\n';
    const request = { intent: rpcTransferIntent(), params: { max: 10 } };
    const a = compileOne(source);
    const b = compileOne(source);
    const first = a.evaluateSync(request);
    expect(first.allow).toBe(true);
    for (let i = 0; i < 20; i++) {
      expect(a.evaluateSync(request)).toEqual(first);
      expect(await b.evaluate(request)).toEqual(first);
    }
  });
});

describe('deny is a value; caller errors throw NewtonError', () => {
  const policy = compileOne('package p\n\nallow if input.value == "0"\n', {
    paramsSchema: {
      type: 'object',
      properties: { max: { type: 'integer', minimum: 0 } },
      additionalProperties: false,
    },
    limits: { maxRequestBytes: 4096 },
  });

  it('never throws for denies, including evaluation errors', async () => {
    const erroring = compileOne('package p\n\nallow if to_number("x")\n');
    await expect(erroring.evaluate({})).resolves.toMatchObject({ allow: false, error: { code: 'NEWTON_ERR_POLICY_EVAL' } });
    expect(() => erroring.evaluateSync({})).not.toThrow();
    await expect(policy.evaluate({ input: { value: '1' } })).resolves.toMatchObject({ allow: false });
  });

  it('rejects a bad function signature in the intent with NEWTON_ERR_ABI_SIGNATURE', async () => {
    const intent = { ...rpcTransferIntent(), function_signature: utf8Hex('transfer(address') };
    expect(newtonError(() => policy.evaluateSync({ intent })).code).toBe('NEWTON_ERR_ABI_SIGNATURE');
    expect((await rejection(policy.evaluate({ intent }))).code).toBe('NEWTON_ERR_ABI_SIGNATURE');
  });

  it('rejects calldata that does not decode with NEWTON_ERR_ABI_DECODE', async () => {
    const intent = { ...rpcTransferIntent(), data: '0xa9059cbb00' };
    expect(newtonError(() => policy.evaluateSync({ intent })).code).toBe('NEWTON_ERR_ABI_DECODE');
    expect((await rejection(policy.evaluate({ intent }))).code).toBe('NEWTON_ERR_ABI_DECODE');
  });

  it('rejects params that violate the params schema, listing every violation', async () => {
    const request = { input: { value: '0' }, params: { max: -1, extra: true } };
    for (const err of [newtonError(() => policy.evaluateSync(request)), await rejection(policy.evaluate(request))]) {
      expect(err.code).toBe('NEWTON_ERR_PARAMS_SCHEMA_VIOLATION');
      expect(err.message).toContain('/max');
      const violations = err.details?.violations as { path: string; message: string }[];
      expect(violations).toHaveLength(2);
      expect(violations.map((v) => v.path).sort()).toEqual(['', '/max']);
      expect(violations.find((v) => v.path === '')?.message).toContain('extra');
    }
    // Valid params evaluate normally.
    expect(policy.evaluateSync({ input: { value: '0' }, params: { max: 3 } }).allow).toBe(true);
  });

  it('rejects an oversized request with NEWTON_ERR_LIMIT_SIZE', async () => {
    const request = { input: { value: '0', padding: 'x'.repeat(5000) } };
    expect(newtonError(() => policy.evaluateSync(request)).code).toBe('NEWTON_ERR_LIMIT_SIZE');
    expect((await rejection(policy.evaluate(request))).code).toBe('NEWTON_ERR_LIMIT_SIZE');
  });

  it('rejects a malformed JSON request string with NEWTON_ERR_INVALID_JSON', async () => {
    expect(newtonError(() => policy.evaluateSync('{"input": ')).code).toBe('NEWTON_ERR_INVALID_JSON');
    expect((await rejection(policy.evaluate('{not json}'))).code).toBe('NEWTON_ERR_INVALID_JSON');
    // A well-formed JSON string is a valid request.
    expect(policy.evaluateSync('{"input": {"value": "0"}}').allow).toBe(true);
  });

  it('rejects unknown request fields and malformed request shapes', () => {
    const unknown = newtonError(() => policy.evaluateSync({ inputs: {} } as EvaluationRequest));
    expect(unknown.code).toBe('NEWTON_ERR_INVALID_JSON');
    expect(unknown.message).toContain('inputs');
    const both = newtonError(() => policy.evaluateSync({ intent: rpcTransferIntent(), input: {} }));
    expect(both.code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    const params = newtonError(() => policy.evaluateSync({ params: [1] as unknown as Record<string, unknown> }));
    expect(params.code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    const date = newtonError(() => policy.evaluateSync({ reference_date: '2024/01/01' }));
    expect(date.code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
  });
});

describe('compile errors', () => {
  it('reports a parse error with its exact file, line and column', async () => {
    const source = 'package p\n\nallow if input.x == )\n';
    for (const err of [
      newtonError(() => compileOne(source)),
      await rejection(Policy.compile([{ path: 'policy.rego', source }], 'p.allow')),
    ]) {
      expect(err.code).toBe('NEWTON_ERR_POLICY_PARSE');
      expect(err.details).toMatchObject({ file: 'policy.rego', line: 3, column: 21 });
      expect(err.message).toMatch(/^policy\.rego:3:21: /);
    }
  });

  it('attributes a parse error to the module it is in', () => {
    const err = newtonError(() =>
      Policy.compileSync(
        [
          { path: 'lib/ok.rego', source: 'package lib\n\nx := 1\n' },
          { path: 'lib/broken.rego', source: 'package p\n\n\nallow if {\n  input.a == input.b ]\n}\n' },
        ],
        'p.allow',
      ),
    );
    expect(err.code).toBe('NEWTON_ERR_POLICY_PARSE');
    // The stray `]` on line 5, column 22.
    expect(err.details).toMatchObject({ file: 'lib/broken.rego', line: 5, column: 22 });
    expect(err.message).toMatch(/^lib\/broken\.rego:5:22: /);
  });

  it('rejects Rego v0 syntax by default and accepts it with regoV0', async () => {
    const v0 = 'package p\n\ndeny[msg] { input.bad; msg := "bad" }\n\nallow { count(deny) == 0 }\n';
    const err = newtonError(() => compileOne(v0));
    expect(err.code).toBe('NEWTON_ERR_POLICY_PARSE');
    expect(err.details).toMatchObject({ file: 'policy.rego', line: 3 });
    const policy = compileOne(v0, { regoV0: true });
    expect((await decide(policy, { input: {} })).allow).toBe(true);
    expect((await decide(policy, { input: { bad: true } })).allow).toBe(false);
  });

  it('accepts `import rego.v1` and `import future.keywords` as no-ops in v1', async () => {
    const body = 'allow if {\n  some x in input.xs\n  x == 2\n}\n';
    for (const imports of ['import rego.v1\n', 'import future.keywords\n', 'import future.keywords.in\nimport future.keywords.if\n']) {
      const policy = compileOne(`package p\n\n${imports}\n${body}`);
      expect((await decide(policy, { input: { xs: [1, 2] } })).allow).toBe(true);
      expect((await decide(policy, { input: { xs: [1, 3] } })).allow).toBe(false);
    }
  });

  // One call per line at a known line; the determinism check must name the builtin and where it is.
  const nondeterministic = [
    'http.send({"method": "GET", "url": "https://example.com"})',
    'time.now_ns()',
    'rand.intn("seed", 10)',
    'uuid.rfc4122("seed")',
    'net.lookup_ip_addr("example.com")',
    'net.cidr_contains("10.0.0.0/8", "10.1.2.3")',
    'opa.runtime()',
    'crypto.x509.parse_certificates("x")',
  ];
  it.each(nondeterministic)('rejects %s at compile time with NEWTON_ERR_POLICY_NONDETERMINISTIC', async (call) => {
    const builtin = call.slice(0, call.indexOf('('));
    const source = `package p\n\nallow if {\n  x := ${call}\n  x != null\n}\n`;
    for (const err of [
      newtonError(() => compileOne(source)),
      await rejection(Policy.compile([{ path: 'policy.rego', source }], 'p.allow')),
      newtonError(() => checkPolicy([{ path: 'policy.rego', source }])),
    ]) {
      expect(err.code).toBe('NEWTON_ERR_POLICY_NONDETERMINISTIC');
      expect(err.message).toContain(`\`${builtin}\``);
      expect(err.message).toMatch(/^policy\.rego:4:\d+: /);
      const calls = err.details?.calls as { builtin: string; file: string; line: number; column: number }[];
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ builtin, file: 'policy.rego', line: 4 });
      expect(Number.isInteger(calls[0]?.column) && (calls[0]?.column ?? 0) > 0).toBe(true);
    }
  });

  it('lists every non-deterministic call across modules', () => {
    const err = newtonError(() =>
      Policy.compileSync(
        [
          { path: 'a.rego', source: 'package a\n\nseed := rand.intn("k", 3)\n' },
          { path: 'p.rego', source: 'package p\n\nallow if {\n  time.now_ns() > 0\n  uuid.rfc4122("z") != ""\n}\n' },
        ],
        'p.allow',
      ),
    );
    expect(err.code).toBe('NEWTON_ERR_POLICY_NONDETERMINISTIC');
    expect(err.message).toContain('2 more');
    const calls = err.details?.calls as { builtin: string; file: string; line: number }[];
    expect(calls.map((c) => [c.builtin, c.file, c.line])).toEqual([
      ['rand.intn', 'a.rego', 3],
      ['time.now_ns', 'p.rego', 4],
      ['uuid.rfc4122', 'p.rego', 5],
    ]);
  });

  it('allows deterministic builtins that share a prefix with refused ones', async () => {
    const policy = compileOne('package p\n\nallow if time.parse_rfc3339_ns("2024-01-01T00:00:00Z") > 0\n');
    expect((await decide(policy)).allow).toBe(true);
  });

  it('rejects a malformed or missing entrypoint with NEWTON_ERR_POLICY_ENTRYPOINT', async () => {
    const modules = [{ path: 'policy.rego', source: 'package p\n\nallow := true\n' }];
    for (const entrypoint of ['allow', 'p..allow', 'p.1allow', '', 'p.allow x', 'p.deny', 'q.allow']) {
      const err = newtonError(() => Policy.compileSync(modules, entrypoint));
      expect(err.code, entrypoint).toBe('NEWTON_ERR_POLICY_ENTRYPOINT');
    }
    expect((await rejection(Policy.compile(modules, 'p.deny'))).code).toBe('NEWTON_ERR_POLICY_ENTRYPOINT');
    // `pkg.rule` and `data.pkg.rule` both name data.pkg.rule.
    expect(Policy.compileSync(modules, 'p.allow').entrypoint).toBe('data.p.allow');
    expect(Policy.compileSync(modules, 'data.p.allow').entrypoint).toBe('data.p.allow');
    const nested = Policy.compileSync([{ path: 'n.rego', source: 'package a.b.c\n\nallow := true\n' }], 'a.b.c.allow');
    expect(nested.entrypoint).toBe('data.a.b.c.allow');
    expect(nested.evaluateSync({}).allow).toBe(true);
  });

  it('rejects an invalid params schema with NEWTON_ERR_PARAMS_SCHEMA_INVALID', async () => {
    for (const paramsSchema of [{ type: 12 }, '{"type": ', '{"minimum": "zero"}']) {
      expect(newtonError(() => compileOne('package p\n\nallow := true\n', { paramsSchema })).code).toBe(
        'NEWTON_ERR_PARAMS_SCHEMA_INVALID',
      );
    }
    const err = await rejection(
      Policy.compile([{ path: 'policy.rego', source: 'package p\n\nallow := true\n' }], 'p.allow', { paramsSchema: { type: 12 } }),
    );
    expect(err.code).toBe('NEWTON_ERR_PARAMS_SCHEMA_INVALID');
  });

  it('enforces module count and module size limits with NEWTON_ERR_LIMIT_SIZE', () => {
    const source = 'package p\n\nallow := true\n';
    const modules = [
      { path: 'a.rego', source: 'package a\n\nx := 1\n' },
      { path: 'policy.rego', source },
    ];
    const count = newtonError(() => Policy.compileSync(modules, 'p.allow', { limits: { maxModules: 1 } }));
    expect(count.code).toBe('NEWTON_ERR_LIMIT_SIZE');
    expect(count.message).toContain('2 modules');
    const size = newtonError(() => compileOne(source, { limits: { maxModuleBytes: source.length - 1 } }));
    expect(size.code).toBe('NEWTON_ERR_LIMIT_SIZE');
    expect(size.message).toContain('policy.rego');
    // At the limit is fine.
    expect(compileOne(source, { limits: { maxModuleBytes: source.length } }).evaluateSync({}).allow).toBe(true);
    expect(Policy.compileSync(modules, 'p.allow', { limits: { maxModules: 2 } }).evaluateSync({}).allow).toBe(true);
  });

  it('rejects an empty module list and duplicate module paths as invalid arguments', () => {
    expect(newtonError(() => Policy.compileSync([], 'p.allow')).code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    const dup = [
      { path: 'p.rego', source: 'package p\n\nallow := true\n' },
      { path: 'p.rego', source: 'package p\n\nx := 1\n' },
    ];
    expect(newtonError(() => Policy.compileSync(dup, 'p.allow')).code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
  });
});

describe('evaluation context', () => {
  it('sets `input` to the parsed intent (hex quantities as decimal strings, calldata decoded)', async () => {
    const intent = rpcTransferIntent();
    const reader = compileOne(
      [
        'package p',
        '',
        'allow if {',
        '  input.decoded_function_arguments[1] == "1"',
        '  input.decoded_function_arguments[0] == "0xe42e3458283032c669c98e0d8f883a92fc64fe22"',
        '  input.function.name == "transfer"',
        '  input.value == "0"',
        '  input.chain_id == "11155111"',
        '  input.from == "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"',
        '}',
        '',
      ].join('\n'),
    );
    expect(await decide(reader, { intent })).toEqual({ allow: true, result: true, evaluation_result: ABI_TRUE });
    // The whole `input` document is exactly what parseIntent returns.
    const echo = compileOne('package p\n\nallow := input\n');
    expect((await decide(echo, { intent })).result).toEqual(parseIntent(intent));
    // A raw `input` is passed through untouched.
    expect((await decide(echo, { input: { value: '0x10', n: 1 } })).result).toEqual({ value: '0x10', n: 1 });
  });

  it('exposes data.params, data.wasm, its legacy alias data.data, and data.privacy', async () => {
    const policy = compileOne(
      'package p\n\nallow := {"params": data.params, "wasm": data.wasm, "data": data.data, "privacy": data.privacy}\n',
    );
    const d = await decide(policy, {
      params: { max: 5 },
      wasm: { kyc_status: 'approved', risk_score: 2 },
      privacy: { secret: 'x' },
    });
    expect(d.result).toEqual({
      params: { max: 5 },
      wasm: { kyc_status: 'approved', risk_score: 2 },
      data: { kyc_status: 'approved', risk_score: 2 },
      privacy: { secret: 'x' },
    });
    // Without privacy data, data.privacy is undefined; params and wasm default to {}.
    const absent = compileOne(
      'package p\n\nallow := [object.get(data, "privacy", "absent"), data.params, data.wasm, data.data]\n',
    );
    expect((await decide(absent)).result).toEqual(['absent', {}, {}, {}]);
  });

  it('makes the static `data` compile option visible under data beside the per-evaluation documents', async () => {
    const policy = compileOne('package p\n\nallow if input.amount <= data.limits[input.tier]\n', {
      data: { limits: { gold: 100, basic: 10 } },
    });
    expect((await decide(policy, { input: { tier: 'gold', amount: 50 } })).allow).toBe(true);
    expect((await decide(policy, { input: { tier: 'basic', amount: 50 } })).allow).toBe(false);
    const both = compileOne('package p\n\nallow := [data.limits, data.params]\n', { data: { limits: { a: 1 } } });
    expect((await decide(both, { params: { b: 2 } })).result).toEqual([{ a: 1 }, { b: 2 }]);
    for (const key of ['params', 'wasm', 'data', 'privacy']) {
      const err = newtonError(() => compileOne('package p\n\nallow := true\n', { data: { [key]: {} } }));
      expect(err.code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
      expect(err.message).toContain(`data.${key}`);
    }
  });

  describe('identity: newton.identity.kyc.* measured against the caller’s reference date', () => {
    const kyc = {
      status: 'approved',
      address_country_code: 'US',
      address_subdivision: 'CA',
      birthdate: '2000-06-15',
      expiration_date: '2030-01-01',
      issue_date: '2020-01-01',
    };
    const policy = compileOne(
      [
        'package p',
        '',
        'allow if {',
        '  newton.identity.kyc.check_approved()',
        '  newton.identity.kyc.age_gte(18)',
        '  newton.identity.kyc.not_expired()',
        '  newton.identity.kyc.address_in_countries(["US", "CA"])',
        '  newton.identity.kyc.address_not_in_subdivision(["US-NY"])',
        '}',
        '',
      ].join('\n'),
    );

    it('allows an approved, adult, unexpired KYC record', async () => {
      expect((await decide(policy, { identity: { kyc }, reference_date: '2024-01-01' })).allow).toBe(true);
    });

    it('computes age from the reference date: 18 exactly on the birthday, not the day before', async () => {
      expect((await decide(policy, { identity: { kyc }, reference_date: '2018-06-15' })).allow).toBe(true);
      expect((await decide(policy, { identity: { kyc }, reference_date: '2018-06-14' })).allow).toBe(false);
    });

    it('never reads the wall clock: expiry is judged against the reference date', async () => {
      // This record expired in 2010, long before today; with the wall clock it could never allow.
      const old = { ...kyc, birthdate: '1980-01-01', expiration_date: '2010-01-01' };
      expect((await decide(policy, { identity: { kyc: old }, reference_date: '2010-01-01' })).allow).toBe(true);
      expect((await decide(policy, { identity: { kyc: old }, reference_date: '2010-01-02' })).allow).toBe(false);
    });

    it('uses the kyc domain’s reference_date field when the request has none', async () => {
      const d = await decide(policy, { identity: { kyc: { ...kyc, reference_date: '2024-01-01' } } });
      expect(d.allow).toBe(true);
    });

    it('denies with an error when there is no reference date at all', async () => {
      const d = await decide(policy, { identity: { kyc } });
      expect(d.allow).toBe(false);
      expect(d.evaluation_result).toBe(ABI_FALSE);
      expect(d.error?.code).toBe('NEWTON_ERR_POLICY_EVAL');
      expect(d.reason).toContain('no reference date');
      expect(d.reason).toContain('newton.identity.kyc');
    });

    it('denies a non-approved status and a country outside the list', async () => {
      const base = { reference_date: '2024-01-01' };
      expect((await decide(policy, { ...base, identity: { kyc: { ...kyc, status: 'denied' } } })).allow).toBe(false);
      expect((await decide(policy, { ...base, identity: { kyc: { ...kyc, address_country_code: 'FR' } } })).allow).toBe(false);
      expect((await decide(policy, { ...base, identity: { kyc: { ...kyc, address_subdivision: 'NY' } } })).allow).toBe(false);
    });
  });

  describe('confidential: newton.confidential.* and the newton.privacy.* alias', () => {
    const rule = (ns: string) => `package p\n\nallow if not ${ns}.blacklist.contains(input.to)\n`;
    const confidential = { blacklist: { addresses: ['0xAbC0000000000000000000000000000000000001'] } };

    it.each(['newton.confidential', 'newton.privacy'])('%s.blacklist.contains matches case-insensitively', async (ns) => {
      const policy = compileOne(rule(ns));
      const listed = { input: { to: '0xabc0000000000000000000000000000000000001' }, confidential };
      const clean = { input: { to: '0x0000000000000000000000000000000000000002' }, confidential };
      expect((await decide(policy, listed)).allow).toBe(false);
      expect((await decide(policy, clean)).allow).toBe(true);
    });

    it('reads the list under its namespaced domain names too', async () => {
      const policy = compileOne(rule('newton.privacy'));
      const d = await decide(policy, {
        input: { to: '0x01' },
        confidential: { 'newton.privacy.blacklist': { addresses: ['0x01'] } },
      });
      expect(d.allow).toBe(false);
      expect(d.error).toBeUndefined();
    });

    it('denies with an error when no blacklist data was provided (fails closed)', async () => {
      const d = await decide(compileOne(rule('newton.confidential')), { input: { to: '0x01' } });
      expect(d.allow).toBe(false);
      expect(d.error?.code).toBe('NEWTON_ERR_POLICY_EVAL');
      expect(d.reason).toContain('no blacklist data');
    });
  });

  it('runs the newton.crypto signer-recovery builtins on the Newton known-answer vectors', async () => {
    const raw = cryptoCase('ecdsa_recover_signer_raw');
    const personal = cryptoCase('ecdsa_recover_signer_personal');
    const policy = compileOne(
      [
        'package p',
        '',
        'allow := [',
        '  newton.crypto.ecdsa_recover_signer(input.raw.signature, input.raw.message_hash),',
        '  newton.crypto.ecdsa_recover_signer_personal(input.personal.signature, input.personal.message_utf8),',
        ']',
        '',
      ].join('\n'),
    );
    const d = await decide(policy, { input: { raw, personal } });
    const signer = vectors.newton_crypto_builtins.signer_address;
    expect(d.result).toEqual([signer, signer]);
  });
});

describe('identifiers', () => {
  const emptySecretsSchema = '{\n  "type": "object",\n  "properties": {},\n  "additionalProperties": false\n}\n';

  it('policyCodeHash is keccak256 of the exact bytes (Newton vector keccak_hello)', () => {
    const hello = cryptoCase('keccak_hello');
    expect(policyCodeHash(hello.input_utf8 as string)).toBe(hello.value);
    expect(policyCodeHash(new TextEncoder().encode('hello'))).toBe(hello.value);
    // keccak256 (not NIST SHA3-256) of the empty input.
    expect(policyCodeHash('')).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });

  it('policyCid is the CIDv1 raw/sha2-256 of the exact bytes (empty secrets schema)', () => {
    expect(policyCid(emptySecretsSchema)).toBe('bafkreicpgvnkvplbxkvrimbytd3s2zns35dcj76xyoz3fdpnn3bt2j3ixy');
    expect(policyCid(Buffer.from(emptySecretsSchema))).toBe('bafkreicpgvnkvplbxkvrimbytd3s2zns35dcj76xyoz3fdpnn3bt2j3ixy');
    // Any byte changes the CID (here: no trailing newline).
    expect(policyCid(emptySecretsSchema.trimEnd())).not.toBe('bafkreicpgvnkvplbxkvrimbytd3s2zns35dcj76xyoz3fdpnn3bt2j3ixy');
    expect(policyCid(emptySecretsSchema.trimEnd())).toMatch(/^bafkrei[a-z2-7]{52}$/);
  });

  it('Policy.modules exposes policyCodeHash and policyCid of every module, in order', () => {
    const modules = [
      { path: 'policy.rego', source: 'package p\n\nallow if data.lib.ok\n' },
      { path: 'lib.rego', source: 'package lib\n\nok := true\n' },
    ];
    const policy = Policy.compileSync(modules, 'p.allow');
    expect(policy.modules).toEqual(
      modules.map((m) => ({ path: m.path, policyCodeHash: policyCodeHash(m.source), policyCid: policyCid(m.source) })),
    );
    expect(checkPolicy(modules).map(({ path, policyCodeHash: h, policyCid: c }) => ({ path, policyCodeHash: h, policyCid: c }))).toEqual(
      policy.modules,
    );
  });
});

describe('checkPolicy', () => {
  it('reports each module’s package and rules without an entrypoint', () => {
    const checked = checkPolicy([
      { path: 'policy.rego', source: 'package a.b\n\ndefault allow := false\n\nallow if input.x\n\nreason := "r"\n' },
    ]);
    expect(checked).toHaveLength(1);
    expect(checked[0]).toMatchObject({ path: 'policy.rego', package: 'a.b', rules: ['allow', 'allow', 'reason'] });
  });

  it('honours regoV0 and rejects parse errors', () => {
    const v0 = [{ path: 'v0.rego', source: 'package p\n\nallow { true }\n' }];
    expect(newtonError(() => checkPolicy(v0)).code).toBe('NEWTON_ERR_POLICY_PARSE');
    expect(checkPolicy(v0, { regoV0: true })[0]?.package).toBe('p');
  });
});

describe('runPolicyTests', () => {
  const policy = [
    'package demo', // 1
    '', // 2
    'default allow := false', // 3
    '', // 4
    'allow if {', // 5
    '  input.amount <= data.params.max', // 6
    '  input.kind == "transfer"', // 7
    '}', // 8
    '', // 9
  ].join('\n');
  const tests = [
    'package demo_test', // 1
    '', // 2
    'import data.demo', // 3
    '', // 4
    'test_allow_small if {', // 5
    '  demo.allow with input as {"amount": 5, "kind": "transfer"} with data.params as {"max": 10}', // 6
    '}', // 7
    '', // 8
    'test_deny_large if {', // 9
    '  not demo.allow with input as {"amount": 50} with data.params as {"max": 10}', // 10
    '}', // 11
    '', // 12
    'test_wrong_expectation if {', // 13
    '  demo.allow with input as {"amount": 50} with data.params as {"max": 10}', // 14
    '}', // 15
    '', // 16
    'test_value := 7', // 17
    '', // 18
    'test_unsupported if newton.crypto.tlsn_verify("p", "k")', // 19
    '', // 20
    'todo_later if false', // 21
    '', // 22
  ].join('\n');
  const modules = [
    { path: 'demo.rego', source: policy },
    { path: 'demo_test.rego', source: tests },
  ];

  it('counts pass, fail, error and skip (todo_) and reports each test', async () => {
    const report = await runPolicyTests(modules);
    const timeless = (r: TestReport) => r.results.map(({ duration_ns: _, ...rest }) => rest);
    expect(timeless(report)).toEqual(timeless(runPolicyTestsSync(modules)));
    expect({ passed: report.passed, failed: report.failed, errored: report.errored, skipped: report.skipped }).toEqual({
      passed: 2,
      failed: 2,
      errored: 1,
      skipped: 1,
    });
    const byName = Object.fromEntries(report.results.map((r) => [r.name.replace('data.demo_test.', ''), r]));
    expect(Object.keys(byName)).toEqual([
      'test_allow_small',
      'test_deny_large',
      'test_wrong_expectation',
      'test_value',
      'test_unsupported',
      'todo_later',
    ]);
    expect(byName.test_allow_small).toMatchObject({ outcome: 'pass', package: 'demo_test', file: 'demo_test.rego', line: 5 });
    expect(byName.test_wrong_expectation).toMatchObject({ outcome: 'fail', value: null, line: 13 });
    expect(byName.test_value).toMatchObject({ outcome: 'fail', value: 7, line: 17 });
    expect(byName.test_unsupported).toMatchObject({ outcome: 'error', error: { code: 'NEWTON_ERR_BUILTIN_UNSUPPORTED' } });
    expect(byName.todo_later).toMatchObject({ outcome: 'skip', line: 21 });
    for (const r of report.results) expect(r.duration_ns).toBeGreaterThanOrEqual(0);
    expect(report.coverage).toBeUndefined();
  });

  it('filters tests by full name with the `run` regex', async () => {
    const report = await runPolicyTests(modules, { run: 'demo_test\\.test_(allow|deny)_' });
    expect(report.results.map((r) => r.name)).toEqual(['data.demo_test.test_allow_small', 'data.demo_test.test_deny_large']);
    expect([report.passed, report.failed, report.errored, report.skipped]).toEqual([2, 0, 0, 0]);
    const none = runPolicyTestsSync(modules, { run: '^nothing$' });
    expect(none.results).toEqual([]);
    expect(newtonError(() => runPolicyTestsSync(modules, { run: '(' })).code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
  });

  it('reports line coverage per file and overall', async () => {
    // Only test_deny_large runs: amount 50 > max 10 fails line 6, so line 7 is never reached.
    const report = await runPolicyTests(modules, { run: 'test_deny_large$', coverage: true });
    expect(report.passed).toBe(1);
    const demo = report.coverage?.files.find((f) => f.path === 'demo.rego');
    expect(demo?.covered).toContain(6);
    expect(demo?.not_covered).toContain(7);
    expect(demo?.percent).toBeGreaterThan(0);
    expect(demo?.percent).toBeLessThan(100);
    const files = report.coverage?.files ?? [];
    const covered = files.reduce((n, f) => n + f.covered.length, 0);
    const total = files.reduce((n, f) => n + f.covered.length + f.not_covered.length, 0);
    expect(report.coverage?.percent).toBeCloseTo((100 * covered) / total, 6);
    for (const f of files) {
      expect(f.percent).toBeCloseTo((100 * f.covered.length) / (f.covered.length + f.not_covered.length), 6);
    }
  });

  it('surfaces prints, honours strictBuiltinErrors, and rejects broken modules', async () => {
    const m = [{ path: 't.rego', source: 'package t\n\ntest_p if {\n  print("hi", 1)\n  to_number("x") == 1\n}\n' }];
    const lax = await runPolicyTests(m, { compile: { strictBuiltinErrors: false } });
    expect(lax.results[0]).toMatchObject({ outcome: 'fail', value: null });
    expect(lax.results[0]?.prints?.[0]).toContain('hi 1');
    const strict = await runPolicyTests(m);
    expect(strict.results[0]).toMatchObject({ outcome: 'error', error: { code: 'NEWTON_ERR_POLICY_EVAL' } });
    const broken = [{ path: 'b.rego', source: 'package b\n\ntest_x if {\n' }];
    expect((await rejection(runPolicyTests(broken))).code).toBe('NEWTON_ERR_POLICY_PARSE');
    const nd = [{ path: 'n.rego', source: 'package n\n\ntest_x if time.now_ns() > 0\n' }];
    expect(newtonError(() => runPolicyTestsSync(nd)).code).toBe('NEWTON_ERR_POLICY_NONDETERMINISTIC');
  });
});
