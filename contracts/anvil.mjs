// A local Prague EVM for tests and benchmarks: anvil from the @foundry-rs/anvil npm package (the
// binary ships in its per-platform package), on a free loopback port, stopped by `stop()`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const ARCH = { x64: 'amd64', arm64: 'arm64' };
const INSTALL = 'npm install -D -E @foundry-rs/anvil@1.7.1';

/** The anvil binary's path; throws with the install command when it is missing. */
export function anvilBinary() {
  const pkg = `@foundry-rs/anvil-${process.platform}-${ARCH[process.arch] ?? process.arch}`;
  let binary;
  try {
    binary = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  } catch {
    throw new Error(`${pkg} is not installed: run \`${INSTALL}\` in the repository root`);
  }
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run \`${INSTALL}\` in the repository root`);
  return binary;
}

/**
 * Starts anvil (hardfork prague, chain id 31337, its ten funded test accounts) and resolves to
 * `{ rpcUrl, stop }` once it listens. `args` are extra anvil flags.
 */
export function startAnvil(args = []) {
  const child = spawn(anvilBinary(), ['--hardfork', 'prague', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`anvil did not start in 30 s:\n${output}`)), 30_000);
    const fail = (err) => {
      clearTimeout(timer);
      void stop().then(() => reject(err));
    };
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`anvil exited (${code}):\n${output}`)));
    child.stderr.on('data', (chunk) => {
      if (output !== null) output += chunk;
    });
    child.stdout.on('data', (chunk) => {
      if (output === null) return; // started: drain the request log
      output += chunk;
      const listening = /Listening on (127\.0\.0\.1:\d+)/.exec(output);
      if (!listening) return;
      clearTimeout(timer);
      output = null;
      child.removeAllListeners('exit');
      resolve({ rpcUrl: `http://${listening[1]}`, stop });
    });
  });
}
