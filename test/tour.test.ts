// `npm start` is the first thing a new user runs: the engine tour, then `newton devnet` — a gateway
// and 4 operator processes toured through the JSON-RPC API — which keeps serving until SIGINT and
// then exits 0 with no operator process left behind.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';
import { alive } from './helpers/processes.js';

const SERVING = /serving on (http:\/\/127\.0\.0\.1:\d+) — Ctrl-C to stop\n$/;

it('npm start: the engine tour, the devnet tour through RPC, then serving until SIGINT (exit 0)', async () => {
  // What `npm start` runs, with the devnet exec'd so the signal reaches it as it would from a terminal.
  const child = spawn('sh', ['-c', `node scripts/tour.mjs && exec node ${path.join(repoRoot, 'bindings/bin/newton.js')} devnet`], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', NEWTON_TOUR_EXIT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => SERVING.test(stdout) && resolve());
      void exited.then((code) => reject(new Error(`exited ${code} before serving\n${stdout}\n${stderr}`)));
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  // The engine tour.
  expect(stdout).toMatch(/tests: \d+ passed, 0 failed, 0 errors/);
  expect(stdout).not.toMatch(/tests: \d+ passed, [1-9]/);
  expect(stdout).toContain('first use → VALID');
  expect(stdout).toContain('replay    → INVALID (NEWTON_ERR_ATTESTATION_ALREADY_SPENT)');
  expect(stdout).toMatch(/to 0x11111111…\s+→ ALLOW/);
  expect(stdout).toMatch(/to 0x00000000…\s+→ DENY/);

  // The devnet tour: publish, allow, deny, spend once, replay, setPolicy, PolicyData over HTTP, expiry.
  expect(stdout).toMatch(/PolicyData gas_price oracle .* → 0x[0-9a-f]{40}/);
  expect(stdout).toMatch(/policy spend-limit\s+spend_limit\.allow\s+→ 0x[0-9a-f]{40}/);
  expect(stdout).toMatch(/createTask transfer 250 USDC\s+→ ALLOW task 0x[0-9a-f]{8}… {2}[34]\/4 operators signed/);
  expect(stdout).toMatch(/createTask transfer 5000 USDC\s+→ DENY {2}task 0x[0-9a-f]{8}…/);
  expect(stdout).toMatch(/spend the denied attestation\s+→ refused NEWTON_ERR_POLICY_DENIED/);
  expect(stdout).toMatch(/spend the allowed attestation\s+→ spent once \(AttestationSpent/);
  expect(stdout).toMatch(/spend it again \(replay\)\s+→ refused NEWTON_ERR_ATTESTATION_ALREADY_SPENT/);
  // A line per operator vote; one operator killed, the quorum still met by the other three.
  expect(stdout).toMatch(/\n {6}operator 1 0x[0-9a-f]{8}… {2}prepare ok \d+ ms/);
  expect(stdout).toMatch(/== operator 4 crashes \(SIGKILL\)[^\n]*\n\s+createTask transfer 250 USDC\s+→ ALLOW task 0x[0-9a-f]{8}… {2}3\/4 operators signed/);
  expect(stdout).toMatch(/operator 4 0x[0-9a-f]{8}… {2}prepare NEWTON_ERR_OPERATOR_UNAVAILABLE/);
  expect(stdout).toMatch(/operator 4 restarted\s+→ registered again with the gateway/);
  expect(stdout).toMatch(/setPolicy max 100 USDC\s+→ policyId 0x[0-9a-f]{8}… \(was 0x[0-9a-f]{8}…\)\n\s+createTask transfer 250 USDC\s+→ DENY/);
  expect(stdout).toMatch(/spend the one held from before\s+→ refused NEWTON_ERR_POLICY_ID_MISMATCH \(PolicyIdMismatch\)/);
  expect(stdout).toMatch(/createTask at 12\.5 gwei\s+→ ALLOW/);
  expect(stdout).toMatch(/\(the fixture chain served [1-4] oracle requests for that task\)/);
  expect(stdout).toMatch(/createTask at 25 gwei\s+→ DENY/);
  expect(stdout).toMatch(/spend the expired attestation\s+→ refused NEWTON_ERR_ATTESTATION_EXPIRED/);
  expect(stdout).toMatch(/taskStatus\s+→ AttestationExpired/);

  // Still serving after the tour: the printed key works against the printed address.
  const url = SERVING.exec(stdout)![1];
  const key = /its API key (nwt_\S+)/.exec(stdout)![1];
  const res = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'newton_blockNumber', params: {} }),
  });
  expect((await res.json()).result).toMatchObject({ chain_id: 11155111 });
  // The network page's address is printed, and the devnet's page is open.
  expect(stdout).toContain(`network page ${url}/ui/`);
  expect((await fetch(`${url}/ui/`)).status).toBe(200);

  const pids = [...stderr.matchAll(/\(pid (\d+)\) admitted/g)].map((m) => Number(m[1]));
  expect(pids.length).toBeGreaterThanOrEqual(4);
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(stderr).toMatch(/SIGINT: closing the devnet\n$/);
  expect(stderr).toMatch(/ready in \d+\.\d s/);
  expect(stderr).not.toMatch(/"level":(40|50|60)/); // no warnings or errors logged
  for (const pid of pids) expect(alive(pid), `operator process ${pid} outlived the devnet`).toBe(false);
}, 240_000);
