// `newton keys generate|show`, spawned as a user runs it: keystore files, JSON output, password
// sources (env var or --password-file, never a flag value) and error exit codes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blsVerifyPossessionSync, hexToBytes } from '../bindings/dist/index.js';
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
function generate(args: string[], env: Record<string, string | undefined>) {
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  const r = newton(['keys', 'generate', '--out', out, ...args], { env, timeoutMs: 60_000 });
  expect(r.stderr).toContain(`newton: wrote ${out}`);
  expect(r.status).toBe(0);
  const [name, ...others] = fs.readdirSync(out);
  expect(others).toEqual([]);
  return { r, out, file: path.join(out, name as string), key: JSON.parse(r.stdout) as Record<string, string> };
}

const expectError = (r: { status: number | null; stderr: string }, code: string) => {
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^newton: ${code}: `));
};

describe('newton keys generate / show', () => {
  it('writes a 0600 EIP-2335 keystore named by the key and prints a key whose PoP verifies', () => {
    const { r, file, key } = generate(['--kdf', 'pbkdf2'], withEnv(PASSWORD).env);
    expect(Object.keys(key).sort()).toEqual(['proof_of_possession', 'public_key']);
    expect(key.public_key).toMatch(/^0x[0-9a-f]{96}$/);
    expect(key.proof_of_possession).toMatch(/^0x[0-9a-f]{192}$/);
    expect(r.stdout).toBe(`${JSON.stringify(key)}\n`);
    expect(path.basename(file)).toBe(`keystore-${key.public_key?.slice(2, 10)}.json`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const keystore = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(keystore).toMatchObject({ version: 4, pubkey: key.public_key?.slice(2), crypto: { kdf: { function: 'pbkdf2' } } });
    expect(blsVerifyPossessionSync(hexToBytes(key.public_key as string), hexToBytes(key.proof_of_possession as string))).toBe(true);

    const shown = newton(['keys', 'show', '--keystore', file, '--password-file', files['password.txt'] as string], { env: noEnv });
    expect(shown.status).toBe(0);
    expect(shown.stdout).toBe(r.stdout);
  });

  it('uses scrypt by default and takes the password from the first line of --password-file', { timeout: 60_000 }, () => {
    const { r, file } = generate(['--password-file', files['password.txt'] as string], noEnv);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).crypto.kdf).toMatchObject({ function: 'scrypt', params: { n: 262144 } });
    const shown = newton(['keys', 'show', '--keystore', file], withEnv(PASSWORD));
    expect(shown.stdout).toBe(r.stdout);
  });

  it('refuses a missing or empty password with NEWTON_ERR_KEYSTORE_PASSWORD and writes nothing', () => {
    const out = path.join(dir, 'never');
    for (const [args, env] of [
      [[], noEnv],
      [[], { NEWTON_KEYSTORE_PASSWORD: '' }],
      [['--password-file', files['empty.txt'] as string], noEnv],
    ] as const) {
      expectError(newton(['keys', 'generate', '--out', out, ...args], { env }), 'NEWTON_ERR_KEYSTORE_PASSWORD');
    }
    expect(fs.existsSync(out)).toBe(false);
    expectError(newton(['keys', 'show', '--keystore', files['bad-keystore.json'] as string], { env: noEnv }), 'NEWTON_ERR_KEYSTORE_PASSWORD');
  });

  it('refuses a wrong password with NEWTON_ERR_KEYSTORE_PASSWORD', () => {
    const { file } = generate(['--kdf', 'pbkdf2'], withEnv(PASSWORD).env);
    expectError(newton(['keys', 'show', '--keystore', file], withEnv('wrong')), 'NEWTON_ERR_KEYSTORE_PASSWORD');
    expectError(
      newton(['keys', 'show', '--keystore', file, '--password-file', files['wrong.txt'] as string], withEnv(PASSWORD)),
      'NEWTON_ERR_KEYSTORE_PASSWORD',
    );
  });

  it('never takes the password as a flag value', () => {
    const out = path.join(dir, 'flag');
    const r = newton(['keys', 'generate', '--out', out, '--password', PASSWORD], withEnv(PASSWORD));
    expectError(r, 'NEWTON_ERR_INVALID_ARGUMENT');
    expect(r.stderr).toContain('unknown option --password');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('exits 1 with a code for usage, file and keystore errors', () => {
    const env = withEnv(PASSWORD);
    const cases: [string[], string][] = [
      [['keys', 'generate'], 'NEWTON_ERR_INVALID_ARGUMENT'],
      [['keys', 'generate', '--out', dir, '--kdf', 'argon2'], 'NEWTON_ERR_INVALID_ARGUMENT'],
      [['keys', 'show'], 'NEWTON_ERR_INVALID_ARGUMENT'],
      [['keys', 'rotate'], 'NEWTON_ERR_INVALID_ARGUMENT'],
      [['keys', 'show', '--keystore', path.join(dir, 'missing.json')], 'NEWTON_ERR_IO'],
      [['keys', 'show', '--keystore', files['bad-keystore.json'] as string], 'NEWTON_ERR_KEYSTORE_INVALID'],
      [['keys', 'show', '--keystore', files['bad-keystore.json'] as string, '--password-file', path.join(dir, 'nope')], 'NEWTON_ERR_IO'],
    ];
    for (const [args, code] of cases) expectError(newton(args, env), code);
  });

  it('is listed in the top-level help and has its own', () => {
    expect(newton(['--help']).stdout).toMatch(/^ {2}keys {5}generate \| show/m);
    const help = newton(['keys', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('generate --out DIR [--kdf scrypt|pbkdf2] [--password-file FILE]');
    expect(help.stdout).toContain('show     --keystore FILE [--password-file FILE]');
  });
});
