// `npm start` is the first thing a new user runs: it must finish cleanly and show every engine at work.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

it('the tour runs every step and exits 0', () => {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/tour.mjs')], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/tests: \d+ passed, 0 failed, 0 errors/);
  expect(r.stdout).toContain('first use → VALID');
  expect(r.stdout).toContain('replay    → INVALID (NEWTON_ERR_ATTESTATION_ALREADY_SPENT)');
  expect(r.stdout).toMatch(/to 0x11111111…\s+→ ALLOW/);
  expect(r.stdout).toMatch(/to 0x00000000…\s+→ DENY/);
}, 180_000);
