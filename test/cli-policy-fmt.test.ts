// `newton policy fmt` runs `opa fmt` and never formats by itself: with a stand-in opa (a script that
// records its argv, prints and exits as told) the flags, paths, output and exit status pass
// through; without any opa it is a usage error saying how to install one.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newton } from './helpers/cli.js';
import { makeTempDir } from './helpers/newton.js';
import { repoRoot } from './helpers/paths.js';

let dir: string;
let opa: string;
let argvFile: string;

beforeAll(() => {
  dir = makeTempDir('cli-policy-fmt');
  argvFile = path.join(dir, 'argv.txt');
  opa = path.join(dir, 'bin', 'opa');
  fs.mkdirSync(path.dirname(opa));
  // One argument a line; FAKE_OPA_EXIT is its exit status.
  fs.writeFileSync(
    opa,
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${argvFile}"\necho "formatted by fake opa"\necho "a note" >&2\nexit "\${FAKE_OPA_EXIT:-0}"\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, 'policy.rego'), 'package p\nallow:=true\n');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const argv = () => fs.readFileSync(argvFile, 'utf8').trimEnd().split('\n');
const rego = () => path.join(dir, 'policy.rego');
/** No opa anywhere: OPA_BIN unset, PATH without one (the checkout's bench/.tools/opa may exist: tests skip then). */
const noOpaEnv = { OPA_BIN: undefined, PATH: path.dirname(process.execPath) };
const checkoutOpa = fs.existsSync(path.join(repoRoot, 'bench/.tools/opa'));

describe('newton policy fmt with an opa binary', () => {
  it('runs `opa fmt` on the paths with the flags passed through, its output as is', async () => {
    const r = await newton(['policy', 'fmt', '--diff', '--list', '--write', '--fail', '--rego-v0', rego(), dir], { env: { OPA_BIN: opa } });
    expect(r).toEqual({ status: 0, stdout: 'formatted by fake opa\n', stderr: 'a note\n' });
    expect(argv()).toEqual(['fmt', '--diff', '--list', '--write', '--fail', '--v0-compatible', '--', rego(), dir]);
  });

  it('takes the short flags as opa does, and passes nothing it was not given', async () => {
    expect((await newton(['policy', 'fmt', '-d', '-l', '-w', rego()], { env: { OPA_BIN: opa } })).status).toBe(0);
    expect(argv()).toEqual(['fmt', '--diff', '--list', '--write', '--', rego()]);
    expect((await newton(['policy', 'fmt', rego()], { env: { OPA_BIN: opa } })).status).toBe(0);
    expect(argv()).toEqual(['fmt', '--', rego()]);
  });

  it("exits with opa's status (e.g. 2 for `--fail` on a file that needs formatting)", async () => {
    const r = await newton(['policy', 'fmt', '--list', '--fail', rego()], { env: { OPA_BIN: opa, FAKE_OPA_EXIT: '2' } });
    expect(r).toEqual({ status: 2, stdout: 'formatted by fake opa\n', stderr: 'a note\n' });
  });

  it('finds opa on PATH when OPA_BIN is unset', async () => {
    const PATH = `${path.dirname(opa)}${path.delimiter}${process.env.PATH}`;
    const r = await newton(['policy', 'fmt', '-l', rego()], { env: { OPA_BIN: undefined, PATH } });
    expect(r.status).toBe(0);
    expect(argv()).toEqual(['fmt', '--list', '--', rego()]);
  });
});

describe('newton policy fmt without an opa binary', () => {
  it.skipIf(checkoutOpa)('exits 2 saying how to install OPA, and never formats by itself', async () => {
    const before = fs.readFileSync(rego(), 'utf8');
    const r = await newton(['policy', 'fmt', '-w', rego()], { env: noOpaEnv });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^newton: NEWTON_ERR_INVALID_ARGUMENT: newton policy fmt runs `opa fmt`, and no opa binary was found /);
    expect(r.stderr).toContain('(OPA_BIN, PATH, bench/.tools/opa). Install OPA: download the opa binary');
    expect(r.stderr).toContain('https://github.com/open-policy-agent/opa/releases');
    expect(r.stderr).toContain('`sh bench/install-opa.sh`');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(fs.readFileSync(rego(), 'utf8')).toBe(before);
    const json = await newton(['policy', 'fmt', rego(), '--format', 'json'], { env: noOpaEnv });
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: expect.stringContaining('Install OPA') });
  });

  it('exits 2 when OPA_BIN names no executable', async () => {
    const r = await newton(['policy', 'fmt', rego()], { env: { OPA_BIN: path.join(dir, 'policy.rego') } });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^newton: NEWTON_ERR_INVALID_ARGUMENT: OPA_BIN=\S+policy\.rego is not an executable file\. Install OPA: /);
  });

  it('needs a path, and says in its help where opa comes from', async () => {
    const r = await newton(['policy', 'fmt'], { env: { OPA_BIN: opa } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'paths'/);
    const help = await newton(['policy', 'fmt', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['-d, --diff', '-l, --list', '-w, --write', '--fail', '--rego-v0', '--format <format>']) expect(help.stdout).toContain(flag);
    expect(help.stdout).toContain('$OPA_BIN');
    expect(help.stdout).toContain('sh bench/install-opa.sh');
  });
});
