// `newton operator start` and `newton devnet --no-tour` as processes: an admitted operator
// registers with a CLI-started gateway and prints itself once admitted; a gateway that does not
// admit it, a pinned address that is not the gateway's, a wrong password and an unreachable
// gateway each end the command with their code; SIGTERM stops an operator and a devnet (with all
// its operator processes, and its nats-server with --nats) with exit 0.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliScript, newton } from './helpers/cli.js';
import { makeTempDir } from './helpers/newton.js';
import { alive, startUntilLine, type Started } from './helpers/processes.js';

const dir = makeTempDir('cli-operator');
const PASSWORD = 'correct horse';
const env = { ...process.env, NEWTON_KEYSTORE_PASSWORD: PASSWORD };
const children: ChildProcess[] = [];

/** `newton ...args` as a process (killed at the end of the file if still running). */
async function start(args: string[]): Promise<Started> {
  const started = await startUntilLine(cliScript, args, { env });
  children.push(started.child);
  return started;
}

/** The command's exit and stderr when it fails before printing. */
async function failure(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const started = await start(args);
    throw new Error(`expected a failure, it printed ${started.line}`);
  } catch (err) {
    return err as { code: number; stderr: string };
  }
}

async function keystore(name: string): Promise<{ file: string; id: string }> {
  const out = path.join(dir, name);
  const r = await newton(['keys', 'generate', '--out', out, '--kdf', 'pbkdf2'], { env: { NEWTON_KEYSTORE_PASSWORD: PASSWORD } });
  expect(r.status).toBe(0);
  const key = JSON.parse(r.stdout);
  return { file: path.join(out, `keystore-${key.public_key.slice(2, 10)}.json`), id: key.operator_id };
}

let gateway: Started;
let gatewayUrl: string;
let gatewayAddress: string;
let admitted: { file: string; id: string };
let stranger: { file: string; id: string };

beforeAll(async () => {
  [admitted, stranger] = await Promise.all([keystore('admitted'), keystore('stranger')]);
  gateway = await start(['gateway', 'start', '--data-dir', path.join(dir, 'gateway'), '--port', '0', '--admit-operators', admitted.id, '--log-level', 'warn', '--format', 'json']);
  ({ url: gatewayUrl, address: gatewayAddress } = JSON.parse(gateway.line));
}, 60_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const operatorArgs = (key: { file: string }, ...more: string[]) =>
  ['operator', 'start', '--keystore', key.file, '--gateway', gatewayUrl, '--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'op'), '--log-level', 'warn', '--format', 'json', ...more];

describe('newton operator start', () => {
  it('registers with the gateway, prints itself once admitted, and stops on SIGTERM', async () => {
    const op = await start(operatorArgs(admitted, '--stake', '2500'));
    const printed = JSON.parse(op.line);
    expect(printed).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), operator_id: admitted.id, gateway: gatewayAddress });
    expect(op.stderr()).toContain(`trusting gateway ${gatewayAddress} as ${gatewayUrl} reported it; pin it with --gateway-address`);
    const listed = await (await fetch(`${gatewayUrl}/operators`)).json();
    expect(listed.operators).toEqual([expect.objectContaining({ operator_id: admitted.id, url: printed.url, stake: { 0: '2500' } })]);
    // The service answers only signed requests.
    const unsigned = await fetch(`${printed.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"newt_fetchPolicyData","params":{}}' });
    expect(unsigned.status).toBe(401);
    op.child.kill('SIGTERM');
    expect(await op.exited).toBe(0);
    expect(op.stderr()).toContain('newton: SIGTERM: closing the operator\n');
  }, 60_000);

  it('ends with the code of what stops it', async () => {
    const forbidden = await failure(operatorArgs(stranger, '--gateway-address', gatewayAddress));
    expect([forbidden.code, forbidden.stderr]).toEqual([1, expect.stringContaining('NEWTON_ERR_FORBIDDEN')]);
    expect(forbidden.stderr).toContain(`operator ${stranger.id} is not admitted`);
    const otherGateway = await failure(operatorArgs(admitted, '--gateway-address', '0x000000000000000000000000000000000000dead'));
    expect([otherGateway.code, otherGateway.stderr]).toEqual([1, expect.stringContaining('NEWTON_ERR_UNAUTHORIZED')]);
    const wrongPassword = await failure([...operatorArgs(admitted), '--password-file', path.join(dir, 'nope')]);
    expect([wrongPassword.code, wrongPassword.stderr]).toEqual([1, expect.stringContaining('NEWTON_ERR_IO')]);
    const unreachable = await failure(['operator', 'start', '--keystore', admitted.file, '--gateway', 'http://127.0.0.1:1', '--listen', '127.0.0.1:0']);
    expect([unreachable.code, unreachable.stderr]).toEqual([1, expect.stringContaining('NEWTON_ERR_IO: cannot reach the gateway at http://127.0.0.1:1')]);
    const badListen = await failure(operatorArgs(admitted, '--listen', 'nowhere'));
    expect([badListen.code, badListen.stderr]).toEqual([2, expect.stringContaining('Expected HOST:PORT')]);
  }, 60_000);
});

describe('newton devnet --no-tour', () => {
  it('prints the URL and an API key when every operator is admitted; SIGTERM stops it and every operator process', async () => {
    const devnet = await start(['devnet', '--no-tour', '--operators', '2', '--port', '0', '--format', 'json']);
    const ready = JSON.parse(devnet.line);
    expect(ready).toEqual({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      api_key: expect.stringMatching(/^nwt_/),
      owner: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      operators: [1, 2].map(() => ({ operator_id: expect.stringMatching(/^0x[0-9a-f]{64}$/), url: expect.any(String), pid: expect.any(Number) })),
    });
    const listed = await (await fetch(`${ready.url}/operators`)).json();
    expect(listed.operators.map((o: { operator_id: string }) => o.operator_id).sort()).toEqual(ready.operators.map((o: { operator_id: string }) => o.operator_id).sort());
    const rpc = await fetch(`${ready.url}/rpc`, { method: 'POST', headers: { authorization: `Bearer ${ready.api_key}` }, body: '{"jsonrpc":"2.0","id":1,"method":"newton_blockNumber","params":{}}' });
    expect((await rpc.json()).result).toMatchObject({ chain_id: 11155111 });
    expect(devnet.stderr()).toMatch(/ready in \d+\.\d s/);
    devnet.child.kill('SIGTERM');
    expect(await devnet.exited).toBe(0);
    for (const { pid } of ready.operators) expect(alive(pid), `operator ${pid}`).toBe(false);
  }, 60_000);

  it('--nats runs the operators on a local nats-server, stopped with the devnet', async () => {
    const devnet = await start(['devnet', '--no-tour', '--nats', '--operators', '2', '--port', '0', '--format', 'json']);
    const ready = JSON.parse(devnet.line);
    expect(ready.operators.map((o: { url: string; operator_id: string }) => o.url)).toEqual(ready.operators.map((o: { operator_id: string }) => `nats:${o.operator_id}`));
    const natsPid = Number(/nats-server nats:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)/.exec(devnet.stderr())![1]);
    expect(alive(natsPid)).toBe(true);
    devnet.child.kill('SIGTERM');
    expect(await devnet.exited, devnet.stderr()).toBe(0);
    for (const pid of [natsPid, ...ready.operators.map((o: { pid: number }) => o.pid)]) expect(alive(pid), `process ${pid}`).toBe(false);
  }, 60_000);
});
