// `newton privacy|identity|confidential` and `newton policy eval --privacy-key`, spawned as a user
// runs them: the three lifecycles against a local store, each failure's exit code, and the
// canary — a sealed secret that must never appear in any store file or anything the CLI prints.
import fs from 'node:fs';
import path from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newton, type CliResult } from './helpers/cli.js';
import { makeTempDir } from './helpers/newton.js';

const CHAIN = '11155111';
const CANARY = 'CANARY-91f2-plaintext-must-never-touch-disk';
const POLICY_CLIENT = `0x${'c1'.repeat(20)}`;

let dir: string;
let storeDir: string;
/** Every stdout/stderr the lifecycle produced (the canary scan reads them all). */
const transcript: string[] = [];
const at = (name: string) => path.join(dir, name);
const account = (name: string) => {
  const key = generatePrivateKey();
  fs.writeFileSync(at(`${name}.key`), `${key}\n`, { mode: 0o600 });
  return privateKeyToAccount(key).address;
};
let owner: string;
let provider: string;
let clientOwner: string;
let operatorPub: string;

function run(args: string[]): CliResult {
  const r = newton(args, { timeoutMs: 60_000 });
  transcript.push(r.stdout, r.stderr);
  return r;
}

function ok(args: string[]): string {
  const r = run(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.status, args.join(' ')).toBe(0);
  return r.stdout.trim();
}

/** Exit 1 with `code` in the message. */
function fails(args: string[], code: string): void {
  const r = run(args);
  expect(r.status, args.join(' ')).toBe(1);
  expect(r.stderr).toContain(`newton: ${code}:`);
}

const store = ['--chain-id', CHAIN, '--store', '']; // path filled in beforeAll
const seal = (file: string, boundTo: string, json: unknown) => {
  fs.writeFileSync(at(`${file}.json`), JSON.stringify(json));
  fs.writeFileSync(at(`${file}.env`), ok(['privacy', 'seal', '--recipient-pubkey', operatorPub, '--policy-client', boundTo, '--chain-id', CHAIN, '--in', at(`${file}.json`)]));
  fs.rmSync(at(`${file}.json`)); // the plaintext lives only on the user's side, before sealing
  return at(`${file}.env`);
};

function evaluate(policy: string, extra: string[] = []) {
  const r = run(['policy', 'eval', '--policy', at(policy), '--entrypoint', 'p.allow', '--intent', at('intent.json'), '--format', 'json',
    '--privacy-key', at('operator.key'), '--privacy-store', store[3] as string, '--policy-client', POLICY_CLIENT, ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { allow: boolean; error?: { code: string } };
}

beforeAll(() => {
  dir = makeTempDir('cli-privacy');
  storeDir = path.join(dir, 'store');
  store[3] = path.join(storeDir, 'privacy.db');
  owner = account('owner');
  provider = account('provider');
  clientOwner = account('client-owner');
  operatorPub = JSON.parse(ok(['privacy', 'keygen', '--out', at('operator.key')])).public_key;
  fs.writeFileSync(at('intent.json'), JSON.stringify({ from: owner, to: `0x${'ab'.repeat(20)}`, value: '0x0', chain_id: '0xaa36a7', function_signature: '0x', data: '0x' }));
  fs.writeFileSync(at('kyc.rego'), 'package p\nimport rego.v1\ndefault allow := false\nallow if {\n newton.identity.kyc.check_approved()\n newton.identity.kyc.age_gte(18)\n}\n');
  fs.writeFileSync(at('screen.rego'), 'package p\nimport rego.v1\ndefault allow := false\nallow if not newton.confidential.blacklist.contains(input.to)\n');
  fs.writeFileSync(at('ephemeral.rego'), 'package p\nimport rego.v1\ndefault allow := false\nallow if data.privacy.limit >= 5\n');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('newton privacy', () => {
  it('keygen writes an owner-only key file and never overwrites it', () => {
    expect(operatorPub).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(at('operator.key')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(ok(['privacy', 'public-key', '--key', at('operator.key')])).public_key).toBe(operatorPub);
    fails(['privacy', 'keygen', '--out', at('operator.key')], 'NEWTON_ERR_IO');
  });

  it('seal and open round-trip; the envelope binds policy client and chain', () => {
    const file = seal('roundtrip', POLICY_CLIENT, { hello: 'world' });
    const envelope = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(envelope)).toEqual(['enc', 'ciphertext', 'policy_client', 'chain_id', 'recipient_pubkey']);
    expect(envelope.chain_id).toBe(Number(CHAIN));
    expect(JSON.parse(ok(['privacy', 'open', '--key', at('operator.key'), '--envelope', file]))).toEqual({ hello: 'world' });
    fs.writeFileSync(at('tampered.env'), JSON.stringify({ ...envelope, chain_id: 1 }));
    fails(['privacy', 'open', '--key', at('operator.key'), '--envelope', at('tampered.env')], 'NEWTON_ERR_PRIVACY_DECRYPT');
    fails(['privacy', 'seal', '--recipient-pubkey', 'zz', '--policy-client', POLICY_CLIENT, '--chain-id', CHAIN, '--in', at('intent.json')], 'NEWTON_ERR_INVALID_ARGUMENT');
  });
});

describe('lifecycles through the CLI', () => {
  it('identity: upload, link, evaluate, unlink', () => {
    const env = seal('kyc', owner, { status: 'approved', birthdate: '1990-01-01', reference_date: '2026-11-25', canary: CANARY });
    const { data_ref_id } = JSON.parse(ok(['identity', 'upload', ...store, '--signer-key', at('owner.key'), '--domain', 'kyc', '--envelope', env]));
    expect(data_ref_id).toMatch(/^0x[0-9a-f]{64}$/);
    // Someone else's key cannot upload it as the owner's data (the envelope is bound to the owner).
    fails(['identity', 'upload', ...store, '--signer-key', at('provider.key'), '--domain', 'kyc', '--envelope', env], 'NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH');
    expect(evaluate('kyc.rego').allow).toBe(false);
    const links = JSON.parse(ok(['identity', 'link', ...store, '--signer-key', at('owner.key'), '--policy-client', POLICY_CLIENT, '--domain', 'kyc']));
    expect(links).toEqual([{ domain: 'kyc', owner: owner.toLowerCase(), data_ref_id }]);
    expect(evaluate('kyc.rego').allow).toBe(true);
    ok(['identity', 'unlink', ...store, '--signer-key', at('owner.key'), '--policy-client', POLICY_CLIENT, '--domain', 'kyc']);
    expect(evaluate('kyc.rego').allow).toBe(false);
    ok(['identity', 'link', ...store, '--signer-key', at('owner.key'), '--policy-client', POLICY_CLIENT, '--domain', 'kyc']);
  });

  it('confidential: publish versions, two-step grant, revoke', () => {
    const publish = (addresses: string[]) =>
      JSON.parse(ok(['confidential', 'publish', ...store, '--signer-key', at('provider.key'), '--domain', 'newton.privacy.blacklist',
        '--envelope', seal(`list-${addresses.length}`, provider, { addresses, canary: CANARY })]));
    expect(publish([`0x${'ab'.repeat(20)}`]).version).toBe(1);
    expect(publish(['0x01', '0x02']).version).toBe(2);
    expect(evaluate('screen.rego').error?.code).toBe('NEWTON_ERR_PRIVACY_NO_GRANT');
    ok(['confidential', 'grant', ...store, '--signer-key', at('provider.key'), '--domain', 'newton.privacy.blacklist', '--policy-client', POLICY_CLIENT]);
    const accept = ['confidential', 'accept', ...store, '--signer-key', at('client-owner.key'), '--provider', provider, '--domain', 'newton.privacy.blacklist', '--policy-client', POLICY_CLIENT];
    fails(accept, 'NEWTON_ERR_PRIVACY_UNAUTHORIZED'); // nobody owns the policy client yet
    ok(['confidential', 'set-owner', ...store, '--policy-client', POLICY_CLIENT, '--owner', clientOwner]);
    fails(['confidential', 'accept', ...store, '--signer-key', at('provider.key'), '--provider', provider, '--domain', 'newton.privacy.blacklist', '--policy-client', POLICY_CLIENT], 'NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    const grants = JSON.parse(ok(accept));
    expect(grants[0]).toMatchObject({ state: 'active', domain: 'newton.privacy.blacklist', latest: { version: 2 } });
    expect(evaluate('screen.rego').allow).toBe(true); // v2 does not list input.to; v1 did
    expect(JSON.parse(ok(['confidential', 'versions', ...store, '--provider', provider, '--domain', 'newton.privacy.blacklist'])).length).toBe(2);
    ok(['confidential', 'revoke', ...store, '--signer-key', at('provider.key'), '--domain', 'newton.privacy.blacklist', '--policy-client', POLICY_CLIENT]);
    expect(evaluate('screen.rego').error?.code).toBe('NEWTON_ERR_PRIVACY_GRANT_REVOKED');
  });

  it('ephemeral: wasm_args._newton.privacy becomes data.privacy for that evaluation only', () => {
    const env = JSON.parse(fs.readFileSync(seal('eph', POLICY_CLIENT, { limit: 7, canary: CANARY }), 'utf8'));
    fs.writeFileSync(at('args.json'), JSON.stringify({ _newton: { privacy: [env] } }));
    expect(evaluate('ephemeral.rego', ['--wasm-args', `@${at('args.json')}`]).allow).toBe(true);
    expect(evaluate('ephemeral.rego').allow).toBe(false);
    const other = JSON.parse(fs.readFileSync(seal('eph-other', `0x${'99'.repeat(20)}`, { limit: 7 }), 'utf8'));
    fs.writeFileSync(at('other.json'), JSON.stringify({ _newton: { privacy: [other] } }));
    // An envelope for another policy client denies with its code (exit 0: a deny is a decision).
    const denied = evaluate('ephemeral.rego', ['--wasm-args', `@${at('other.json')}`]);
    expect(denied.allow).toBe(false);
    expect(denied.error?.code).toBe('NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH');
  });

  it('the canary never reached the store files or any output', () => {
    const files = fs.readdirSync(storeDir).map((f) => path.join(storeDir, f));
    expect(files.some((f) => f.endsWith('privacy.db'))).toBe(true);
    for (const file of [...files, ...fs.readdirSync(dir).map((f) => at(f)).filter((f) => fs.statSync(f).isFile())]) {
      expect(fs.readFileSync(file).includes(CANARY), file).toBe(false);
    }
    expect(transcript.length).toBeGreaterThan(20);
    expect(transcript.some((t) => t.includes(CANARY))).toBe(false);
  });
});
