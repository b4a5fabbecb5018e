// `newton keys generate|show`, run in-process as a user runs it: keystore files, JSON and pretty
// output, password sources (env var or --password-file, never a flag value) and error exit codes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blsVerifyPossessionSync, hexToBytes } from '../bindings/dist/index.js';
import { keccak256, type Hex } from 'viem';
import { newton } from './helpers/cli.js';
import { makeTempDir, writeFiles } from './helpers/newton.js';

const PASSWORD = 'correct horse battery staple';
/** No password from the environment unless a test sets one. */
const noEnv = { NEWTON_KEYSTORE_PASSWORD: undefined };
const withEnv = (password: string) => ({ env: { NEWTON_KEYSTORE_PASSWORD: password } });

let dir: string;
let files: Record<string, string>;

beforeAll(() => {
  dir = makeTempDir('keys');
  files = writeFiles(dir, {
    'password.txt': `${PASSWORD}\nignored second line\n`,
    'wrong.txt': 'nope\n',
    'empty.txt': '\n',
    'bad-keystore.json': '{"version": 4}',
  });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `keys generate` into a fresh directory and returns it with the parsed output and file. */
async function generate(args: string[], env: Record<string, string | undefined>) {
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  const r = await newton(['keys', 'generate', '--out', out, ...args], { env });
  expect(r.stderr).toContain(`newton: wrote ${out}`);
  expect(r.status).toBe(0);
  const [name, ...others] = fs.readdirSync(out);
  expect(others).toEqual([]);
  return { r, out, file: path.join(out, name as string), key: JSON.parse(r.stdout) as Record<string, string> };
}

const expectError = (r: { status: number | null; stderr: string }, code: string, status = 1) => {
  expect(r.status).toBe(status);
  expect(r.stderr).toMatch(new RegExp(`^newton: ${code}: `));
};

describe('newton keys generate / show', () => {
  it('writes a 0600 EIP-2335 keystore named by the key and prints a key whose PoP verifies', async () => {
    const { r, file, key } = await generate(['--kdf', 'pbkdf2'], withEnv(PASSWORD).env);
    expect(Object.keys(key).sort()).toEqual(['operator_id', 'proof_of_possession', 'public_key']);
    expect(key.operator_id).toBe(keccak256(key.public_key as Hex));
    expect(key.public_key).toMatch(/^0x[0-9a-f]{96}$/);
    expect(key.proof_of_possession).toMatch(/^0x[0-9a-f]{192}$/);
    expect(r.stdout).toBe(`${JSON.stringify(key)}\n`);
    expect(path.basename(file)).toBe(`keystore-${key.public_key?.slice(2, 10)}.json`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const keystore = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(keystore).toMatchObject({ version: 4, pubkey: key.public_key?.slice(2), crypto: { kdf: { function: 'pbkdf2' } } });
    expect(blsVerifyPossessionSync(hexToBytes(key.public_key as string), hexToBytes(key.proof_of_possession as string))).toBe(true);

    const shown = await newton(['keys', 'show', '--keystore', file, '--password-file', files['password.txt'] as string], { env: noEnv });
    expect(shown.status).toBe(0);
    expect(shown.stdout).toBe(r.stdout);
  });

  it('uses scrypt by default and takes the password from the first line of --password-file', { timeout: 60_000 }, async () => {
    const { r, file } = await generate(['--password-file', files['password.txt'] as string], noEnv);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).crypto.kdf).toMatchObject({ function: 'scrypt', params: { n: 262144 } });
    const shown = await newton(['keys', 'show', '--keystore', file], withEnv(PASSWORD));
    expect(shown.stdout).toBe(r.stdout);
  });

  it('refuses a missing or empty password with NEWTON_ERR_KEYSTORE_PASSWORD and writes nothing', async () => {
    const out = path.join(dir, 'never');
    for (const [args, env] of [
      [[], noEnv],
      [[], { NEWTON_KEYSTORE_PASSWORD: '' }],
      [['--password-file', files['empty.txt'] as string], noEnv],
    ] as const) {
      expectError(await newton(['keys', 'generate', '--out', out, ...args], { env }), 'NEWTON_ERR_KEYSTORE_PASSWORD');
    }
    expect(fs.existsSync(out)).toBe(false);
    expectError(await newton(['keys', 'show', '--keystore', files['bad-keystore.json'] as string], { env: noEnv }), 'NEWTON_ERR_KEYSTORE_PASSWORD');
  });

  it('refuses a wrong password with NEWTON_ERR_KEYSTORE_PASSWORD', async () => {
    const { file } = await generate(['--kdf', 'pbkdf2'], withEnv(PASSWORD).env);
    expectError(await newton(['keys', 'show', '--keystore', file], withEnv('wrong')), 'NEWTON_ERR_KEYSTORE_PASSWORD');
    expectError(
      await newton(['keys', 'show', '--keystore', file, '--password-file', files['wrong.txt'] as string], withEnv(PASSWORD)),
      'NEWTON_ERR_KEYSTORE_PASSWORD',
    );
  });

  it('never takes the password as a flag value', async () => {
    const out = path.join(dir, 'flag');
    const r = await newton(['keys', 'generate', '--out', out, '--password', PASSWORD], withEnv(PASSWORD));
    expectError(r, 'NEWTON_ERR_INVALID_ARGUMENT', 2);
    expect(r.stderr).toBe("newton: NEWTON_ERR_INVALID_ARGUMENT: unknown option '--password'\n");
    expect(fs.existsSync(out)).toBe(false);
  });

  it('exits 2 for usage errors and 1 with a code for file and keystore errors', async () => {
    const env = withEnv(PASSWORD);
    const cases: [string[], string, number][] = [
      [['keys', 'generate'], 'NEWTON_ERR_INVALID_ARGUMENT', 2],
      [['keys', 'generate', '--out', dir, '--kdf', 'argon2'], 'NEWTON_ERR_INVALID_ARGUMENT', 2],
      [['keys', 'show'], 'NEWTON_ERR_INVALID_ARGUMENT', 2],
      [['keys', 'rotate'], 'NEWTON_ERR_INVALID_ARGUMENT', 2],
      [['keys', 'show', '--keystore', path.join(dir, 'missing.json')], 'NEWTON_ERR_IO', 1],
      [['keys', 'show', '--keystore', files['bad-keystore.json'] as string], 'NEWTON_ERR_KEYSTORE_INVALID', 1],
      [['keys', 'show', '--keystore', files['bad-keystore.json'] as string, '--password-file', path.join(dir, 'nope')], 'NEWTON_ERR_IO', 1],
    ];
    for (const [args, code, status] of cases) expectError(await newton(args, env), code, status);
  });

  it('prints aligned fields with --format pretty and one JSON object per error with --format json', async () => {
    const { file, key } = await generate(['--kdf', 'pbkdf2'], withEnv(PASSWORD).env);
    const pretty = await newton(['keys', 'show', '--keystore', file, '--format', 'pretty'], withEnv(PASSWORD));
    expect(pretty.stdout).toBe(`public_key           ${key.public_key}\nproof_of_possession  ${key.proof_of_possession}\noperator_id          ${key.operator_id}\n`);
    const wrong = await newton(['keys', 'show', '--keystore', file, '--format', 'json'], withEnv('wrong'));
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(JSON.parse(wrong.stderr)).toMatchObject({ code: 'NEWTON_ERR_KEYSTORE_PASSWORD', details: null });
  });

  it('is listed in the top-level help and has its own, per command', async () => {
    expect((await newton(['--help'])).stdout).toMatch(/^ {2}keys +BLS operator keys in EIP-2335 keystores: generate \| show$/m);
    const help = await newton(['keys', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}generate \[options\] +write DIR\/keystore-/m);
    expect(help.stdout).toContain('The password is the first line of --password-file, else $NEWTON_KEYSTORE_PASSWORD.');
    const generateHelp = (await newton(['keys', 'generate', '--help'])).stdout;
    expect(generateHelp).toContain('--kdf <KDF>');
    expect(generateHelp).toMatch(/\(choices: "scrypt", "pbkdf2",\s+default: "scrypt"\)/);
    expect((await newton(['keys', 'show', '--help'])).stdout).toContain('--keystore <FILE>');
  });
});
