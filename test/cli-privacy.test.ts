// `newton privacy|identity|confidential` and `newton policy eval --privacy-key`, run in-process as
// a user runs them: the three lifecycles against a local store, each failure's exit code, and the
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

async function run(args: string[]): Promise<CliResult> {
  const r = await newton(args);
  transcript.push(r.stdout, r.stderr);
  return r;
}

async function ok(args: string[]): Promise<string> {
  const r = await run(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.status, args.join(' ')).toBe(0);
  return r.stdout.trim();
}

/** Exit 1 with `code` in the message. */
async function fails(args: string[], code: string): Promise<void> {
  const r = await run(args);
  expect(r.status, args.join(' ')).toBe(1);
  expect(r.stderr).toContain(`newton: ${code}:`);
}

const store = ['--chain-id', CHAIN, '--store', '']; // path filled in beforeAll
const seal = async (file: string, boundTo: string, json: unknown) => {
  fs.writeFileSync(at(`${file}.json`), JSON.stringify(json));
  fs.writeFileSync(at(`${file}.env`), await ok(['privacy', 'seal', '--recipient-pubkey', operatorPub, '--policy-client', boundTo, '--chain-id', CHAIN, '--in', at(`${file}.json`)]));
  fs.rmSync(at(`${file}.json`)); // the plaintext lives only on the user's side, before sealing
  return at(`${file}.env`);
};

async function evaluate(policy: string, extra: string[] = []) {
  const r = await run(['policy', 'eval', '--policy', at(policy), '--entrypoint', 'p.allow', '--intent', at('intent.json'), '--format', 'json',
    '--privacy-key', at('operator.key'), '--privacy-store', store[3] as string, '--policy-client', POLICY_CLIENT, ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { allow: boolean; error?: { code: string } };
}

beforeAll(async () => {
  dir = makeTempDir('cli-privacy');
  storeDir = path.join(dir, 'store');
  store[3] = path.join(storeDir, 'privacy.db');
  owner = account('owner');
  provider = account('provider');
  clientOwner = account('client-owner');
  operatorPub = JSON.parse(await ok(['privacy', 'keygen', '--out', at('operator.key')])).public_key;
  fs.writeFileSync(at('intent.json'), JSON.stringify({ from: owner, to: `0x${'ab'.repeat(20)}`, value: '0x0', chain_id: '0xaa36a7', function_signature: '0x', data: '0x' }));
  fs.writeFileSync(at('kyc.rego'), 'package p\nimport rego.v1\ndefault allow := false\nallow if {\n newton.identity.kyc.check_approved()\n newton.identity.kyc.age_gte(18)\n}\n');
  fs.writeFileSync(at('screen.rego'), 'package p\nimport rego.v1\ndefault allow := false\nallow if not newton.confidential.blacklist.contains(input.to)\n');
  fs.writeFileSync(at('ephemeral.rego'), 'package p\nimport rego.v1\ndefault allow := false\nallow if data.privacy.limit >= 5\n');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('newton privacy', () => {
  it('keygen writes an owner-only key file and never overwrites it', async () => {
    expect(operatorPub).toMatch(/^0x[0-9a-f]{64}$/);
    expect(fs.statSync(at('operator.key')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await ok(['privacy', 'public-key', '--key', at('operator.key')])).public_key).toBe(operatorPub);
    await fails(['privacy', 'keygen', '--out', at('operator.key')], 'NEWTON_ERR_IO');
  });

  it('seal and open round-trip; the envelope binds policy client and chain', async () => {
    const file = await seal('roundtrip', POLICY_CLIENT, { hello: 'world' });
    const envelope = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(envelope)).toEqual(['enc', 'ciphertext', 'policy_client', 'chain_id', 'recipient_pubkey']);
    expect(envelope.chain_id).toBe(Number(CHAIN));
    expect(JSON.parse(await ok(['privacy', 'open', '--key', at('operator.key'), '--envelope', file]))).toEqual({ hello: 'world' });
    fs.writeFileSync(at('tampered.env'), JSON.stringify({ ...envelope, chain_id: 1 }));
    await fails(['privacy', 'open', '--key', at('operator.key'), '--envelope', at('tampered.env')], 'NEWTON_ERR_PRIVACY_DECRYPT');
    await fails(['privacy', 'seal', '--recipient-pubkey', 'zz', '--policy-client', POLICY_CLIENT, '--chain-id', CHAIN, '--in', at('intent.json')], 'NEWTON_ERR_INVALID_ARGUMENT');
  });
});

describe('newton privacy --format', () => {
  it('json (the default) prints one JSON document, pretty aligned fields; open prints the bytes unless asked', async () => {
    expect(await ok(['privacy', 'public-key', '--key', at('operator.key'), '--format', 'pretty'])).toBe(`public_key  ${operatorPub}`);
    const sealArgs = ['privacy', 'seal', '--recipient-pubkey', operatorPub, '--policy-client', POLICY_CLIENT, '--chain-id', CHAIN];
    fs.writeFileSync(at('note.txt'), 'not json\n');
    expect(await ok([...sealArgs, '--in', at('note.txt'), '--format', 'pretty'])).toMatch(/^enc +[0-9a-f]+\nciphertext +\S+\npolicy_client +0x/);
    fs.writeFileSync(at('note.env'), await ok([...sealArgs, '--in', at('note.txt'), '--format', 'json']));
    const open = ['privacy', 'open', '--key', at('operator.key'), '--envelope', at('note.env')];
    expect((await run(open)).stdout).toBe('not json\n');
    expect(await ok([...open, '--format', 'pretty'])).toBe('not json');
    const json = await run([...open, '--format', 'json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ code: 'NEWTON_ERR_INVALID_JSON' });
    const file = await seal('formats', POLICY_CLIENT, { a: 1 });
    expect(await ok(['privacy', 'open', '--key', at('operator.key'), '--envelope', file, '--format', 'json'])).toBe('{"a":1}');
  });
});

describe('lifecycles through the CLI', () => {
  it('identity: upload, link, evaluate, unlink', async () => {
    const env = await seal('kyc', owner, { status: 'approved', birthdate: '1990-01-01', reference_date: '2026-11-25', canary: CANARY });
    const { data_ref_id } = JSON.parse(await ok(['identity', 'upload', ...store, '--signer-key', at('owner.key'), '--domain', 'kyc', '--envelope', env]));
    expect(data_ref_id).toMatch(/^0x[0-9a-f]{64}$/);
    // Someone else's key cannot upload it as the owner's data (the envelope is bound to the owner).
    await fails(['identity', 'upload', ...store, '--signer-key', at('provider.key'), '--domain', 'kyc', '--envelope', env], 'NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH');
    expect((await evaluate('kyc.rego')).allow).toBe(false);
    const links = JSON.parse(await ok(['identity', 'link', ...store, '--signer-key', at('owner.key'), '--policy-client', POLICY_CLIENT, '--domain', 'kyc']));
    expect(links).toEqual([{ domain: 'kyc', owner: owner.toLowerCase(), data_ref_id }]);
    expect((await evaluate('kyc.rego')).allow).toBe(true);
    await ok(['identity', 'unlink', ...store, '--signer-key', at('owner.key'), '--policy-client', POLICY_CLIENT, '--domain', 'kyc']);
    expect((await evaluate('kyc.rego')).allow).toBe(false);
    await ok(['identity', 'link', ...store, '--signer-key', at('owner.key'), '--policy-client', POLICY_CLIENT, '--domain', 'kyc']);
  });

  it('confidential: publish versions, two-step grant, revoke', async () => {
    const publish = async (addresses: string[]) =>
      JSON.parse(await ok(['confidential', 'publish', ...store, '--signer-key', at('provider.key'), '--domain', 'newton.privacy.blacklist',
        '--envelope', await seal(`list-${addresses.length}`, provider, { addresses, canary: CANARY })]));
    expect((await publish([`0x${'ab'.repeat(20)}`])).version).toBe(1);
    expect((await publish(['0x01', '0x02'])).version).toBe(2);
    expect((await evaluate('screen.rego')).error?.code).toBe('NEWTON_ERR_PRIVACY_NO_GRANT');
    await ok(['confidential', 'grant', ...store, '--signer-key', at('provider.key'), '--domain', 'newton.privacy.blacklist', '--policy-client', POLICY_CLIENT]);
    const accept = ['confidential', 'accept', ...store, '--signer-key', at('client-owner.key'), '--provider', provider, '--domain', 'newton.privacy.blacklist', '--policy-client', POLICY_CLIENT];
    await fails(accept, 'NEWTON_ERR_PRIVACY_UNAUTHORIZED'); // nobody owns the policy client yet
    await ok(['confidential', 'set-owner', ...store, '--policy-client', POLICY_CLIENT, '--owner', clientOwner]);
    await fails(['confidential', 'accept', ...store, '--signer-key', at('provider.key'), '--provider', provider, '--domain', 'newton.privacy.blacklist', '--policy-client', POLICY_CLIENT], 'NEWTON_ERR_PRIVACY_UNAUTHORIZED');
    const grants = JSON.parse(await ok(accept));
    expect(grants[0]).toMatchObject({ state: 'active', domain: 'newton.privacy.blacklist', latest: { version: 2 } });
    expect((await evaluate('screen.rego')).allow).toBe(true); // v2 does not list input.to; v1 did
    expect(JSON.parse(await ok(['confidential', 'versions', ...store, '--provider', provider, '--domain', 'newton.privacy.blacklist'])).length).toBe(2);
    await ok(['confidential', 'revoke', ...store, '--signer-key', at('provider.key'), '--domain', 'newton.privacy.blacklist', '--policy-client', POLICY_CLIENT]);
    expect((await evaluate('screen.rego')).error?.code).toBe('NEWTON_ERR_PRIVACY_GRANT_REVOKED');
  });

  it('ephemeral: wasm_args._newton.privacy becomes data.privacy for that evaluation only', async () => {
    const env = JSON.parse(fs.readFileSync(await seal('eph', POLICY_CLIENT, { limit: 7, canary: CANARY }), 'utf8'));
    fs.writeFileSync(at('args.json'), JSON.stringify({ _newton: { privacy: [env] } }));
    expect((await evaluate('ephemeral.rego', ['--wasm-args', `@${at('args.json')}`])).allow).toBe(true);
    expect((await evaluate('ephemeral.rego')).allow).toBe(false);
    const other = JSON.parse(fs.readFileSync(await seal('eph-other', `0x${'99'.repeat(20)}`, { limit: 7 }), 'utf8'));
    fs.writeFileSync(at('other.json'), JSON.stringify({ _newton: { privacy: [other] } }));
    // An envelope for another policy client denies with its code (exit 0: a deny is a decision).
    const denied = await evaluate('ephemeral.rego', ['--wasm-args', `@${at('other.json')}`]);
    expect(denied.allow).toBe(false);
    expect(denied.error?.code).toBe('NEWTON_ERR_PRIVACY_POLICY_CLIENT_MISMATCH');
  });

  it('registry commands print JSON by default and fields with --format pretty; usage errors exit 2', async () => {
    const links = ['identity', 'links', ...store, '--policy-client', POLICY_CLIENT, '--user', owner];
    const [link] = JSON.parse(await ok(links));
    expect(await ok([...links, '--format', 'pretty'])).toBe(`domain       kyc\nowner        ${link.owner}\ndata_ref_id  ${link.data_ref_id}`);
    const grants = ['confidential', 'grants', ...store, '--policy-client', POLICY_CLIENT];
    expect(JSON.parse(await ok([...grants, '--format', 'json']))[0]).toMatchObject({ state: 'revoked' });
    expect(await ok([...grants, '--format', 'pretty'])).toMatch(/^provider +0x[0-9a-f]{40}\ndomain +newton\.privacy\.blacklist\n/m);
    for (const args of [
      ['identity', 'link', ...store, '--signer-key', at('owner.key'), '--policy-client', POLICY_CLIENT],
      [...links, '--signer-key', at('owner.key')],
      ['confidential', 'grants', ...store],
      ['confidential', 'publish', ...store, '--signer-key', at('provider.key'), '--domain', 'd', '--envelope', at('kyc.env'), '--deadline', '-5'],
    ]) {
      const r = await run([...args, '--format', 'json']);
      expect(r.status, args.join(' ')).toBe(2);
      expect(JSON.parse(r.stderr).code).toBe('NEWTON_ERR_INVALID_ARGUMENT');
    }
  });

  it('the canary never reached the store files or any output', async () => {
    const files = fs.readdirSync(storeDir).map((f) => path.join(storeDir, f));
    expect(files.some((f) => f.endsWith('privacy.db'))).toBe(true);
    for (const file of [...files, ...fs.readdirSync(dir).map((f) => at(f)).filter((f) => fs.statSync(f).isFile())]) {
      expect(fs.readFileSync(file).includes(CANARY), file).toBe(false);
    }
    expect(transcript.length).toBeGreaterThan(20);
    expect(transcript.some((t) => t.includes(CANARY))).toBe(false);
  });
});
