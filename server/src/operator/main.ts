// An operator service process (what `newton devnet` forks; `newton operator start` is the CLI's
// way to the same service). Configuration from the environment: NEWTON_OPERATOR_KEYSTORE,
// NEWTON_KEYSTORE_PASSWORD, NEWTON_GATEWAY_URL, NEWTON_GATEWAY_ADDRESS (optional: pinned trust),
// NEWTON_OPERATOR_DATA_DIR, NEWTON_WASM_CACHE_DIR (<data dir>/wasm-cache), NEWTON_NATS_URL (serve on
// the bus instead of HTTP), NEWTON_RENEW_MS (10000, registration renewal), NEWTON_STAKE (1000), NEWTON_ALLOW_HOSTS (comma-separated), PORT (0),
// HOST (127.0.0.1), LOG_LEVEL (info). Forked with an IPC channel, it reports
// `{ready, url, operatorId}` once the gateway admitted it and exits when the channel closes
// (its parent is gone, however it ended); close-with-grace finishes in-flight rounds on signals.
import { Worker } from 'node:worker_threads';
import closeWithGrace from 'close-with-grace';
import type { Hex } from 'newton-engine';
import { runOperator } from './run.js';

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (!value) {
    console.error(`newton operator: set ${name}`);
    process.exit(2);
  }
  return value;
};

const running = await runOperator({
  keystore: required('NEWTON_OPERATOR_KEYSTORE'),
  password: required('NEWTON_KEYSTORE_PASSWORD'),
  gatewayUrl: required('NEWTON_GATEWAY_URL'),
  gatewayAddress: env.NEWTON_GATEWAY_ADDRESS as Hex | undefined,
  dataDir: required('NEWTON_OPERATOR_DATA_DIR'),
  wasmCacheDir: env.NEWTON_WASM_CACHE_DIR || undefined,
  stake: env.NEWTON_STAKE ?? 1000,
  allowHosts: env.NEWTON_ALLOW_HOSTS ? env.NEWTON_ALLOW_HOSTS.split(',') : undefined,
  listenHost: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 0),
  nats: env.NEWTON_NATS_URL || undefined,
  renewMs: env.NEWTON_RENEW_MS ? Number(env.NEWTON_RENEW_MS) : undefined,
  logger: { level: env.LOG_LEVEL ?? 'info' },
});
const { log, identity, url } = running;
log.info({ url, operatorId: identity.operatorId, gateway: running.gatewayAddress }, 'operator service serving');

const grace = closeWithGrace({ delay: 10_000 }, async ({ err }) => {
  if (err) log.error({ err }, 'shutting down after an error');
  await running.close();
});
if (process.send) {
  // A parent stuck or killed never closes us itself: the channel closing, or (for a wedged event
  // loop) the guard thread seeing the parent gone, does.
  process.once('disconnect', () => void grace.close());
  new Worker(new URL('../sandbox/orphan-guard.js', import.meta.url), { workerData: { ppid: process.ppid, intervalMs: 1000 } }).unref();
  await running.registration?.first.catch((err: Error) => {
    log.error({ err: err.message }, 'the gateway refused this operator');
    process.exit(1);
  });
  process.send({ ready: true, url, operatorId: identity.operatorId });
}
