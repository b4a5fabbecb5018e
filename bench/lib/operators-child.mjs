// Several operator services in one process for bench/scale-out.bench.mjs (64 operator processes
// would not fit 2 cores): `node operators-child.mjs <gatewayUrl> <nats url or -> <keystore>…`,
// password in $BENCH_PASSWORD. Each keystore becomes one runOperator (over HTTP, or on the bus);
// it sends `{ ready, operators: [{ operatorId, url }] }` over IPC once all are admitted and exits
// when the parent disconnects.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOperator } from 'newton-server';

const [gatewayUrl, nats, ...keystores] = process.argv.slice(2);
const running = await Promise.all(keystores.map(async (keystore, i) => {
  const op = await runOperator({
    keystore, password: process.env.BENCH_PASSWORD, gatewayUrl, nats: nats === '-' ? undefined : nats,
    dataDir: join(tmpdir(), `newton-bench-operator-${process.pid}-${i}`), wasmCacheDir: join(tmpdir(), 'newton-bench-wasm'), logger: false,
  });
  await op.registration.first;
  return op;
}));
process.send({ ready: true, operators: running.map((op) => ({ operatorId: op.identity.operatorId, url: op.url })) });
process.once('disconnect', async () => {
  await Promise.all(running.map((op) => op.close()));
  process.exit(0);
});
