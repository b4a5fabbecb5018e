// `npm test`'s first step: the servers its suites talk to must be installed (today nats-server,
// which test/operator-nats.test.ts starts on loopback). As root with apt-get (CI, a fresh
// container) a missing one is installed; anywhere else the run stops with the install command,
// never a skipped suite.
import { spawnSync } from 'node:child_process';

const SERVICES = [{ bin: process.env.NATS_SERVER_BIN ?? 'nats-server', apt: 'nats-server', other: 'go install github.com/nats-io/nats-server/v2@latest' }];

const found = (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).error === undefined;
const canApt = process.getuid?.() === 0 && found('apt-get');

for (const { bin, apt, other } of SERVICES) {
  if (found(bin)) continue;
  if (canApt) {
    console.error(`test-services: ${bin} is missing; installing the Debian package ${apt}`);
    const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    if (spawnSync('apt-get', ['update', '-qq'], quiet).status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', apt], quiet).status === 0 && found(bin)) continue;
  }
  console.error(`test-services: ${bin} is required by the test suites and is not installed: \`apt-get install ${apt}\` (Debian/Ubuntu) or \`${other}\``);
  process.exit(1);
}
