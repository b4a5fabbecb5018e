// `npm start`: the engine tour (scripts/tour.mjs), then a devnet on loopback — a gateway with 4
// in-process operators, the examples published (scripts/devnet-publish.mjs) and a tour through its
// JSON-RPC API (scripts/devnet-tour.mjs) — which then keeps serving until Ctrl-C.
// Env: PORT (8545; 0 = any free port), HOST (127.0.0.1), NEWTON_TOUR_EXIT=1 (exit 0 after the tour,
// for tests and CI). The data directory is a temp dir removed on exit; SIGINT/SIGTERM close cleanly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { NewtonClient, PolicyDataHost } from 'newton-engine';
import { createApiKey, createGateway } from 'newton-server';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { publishExamples } from './devnet-publish.mjs';
import { devnetTour } from './devnet-tour.mjs';
import { startFixtureChainRpc } from './fixture-chain-rpc.mjs';

await import('./tour.mjs');

const root = new URL('..', import.meta.url).pathname;
const env = process.env;
const CHAIN_ID = 11_155_111;
const OPERATORS = 4;

const chainRpc = await startFixtureChainRpc({ chainId: CHAIN_ID, gasPriceWei: 12_500_000_000n });
const dataDir = mkdtempSync(join(tmpdir(), 'newton-devnet-'));
// Compiled PolicyData artifacts outlive the temp data directory: the oracle compiles once (≈6 s), not per run.
const policyData = { allowHosts: [chainRpc.hostPort], cacheDir: join(root, 'node_modules/.cache/newton-devnet-wasm') };
const { gateway, app } = await createGateway({
  dataDir,
  chainId: CHAIN_ID,
  operators: OPERATORS,
  host: new PolicyDataHost(policyData),
  sandbox: { policyData },
  logger: { level: env.LOG_LEVEL ?? 'warn' },
});

let stopping = false;
const stop = async () => {
  stopping = true;
  await app.close(); // closes the gateway (in-flight tasks finish) and its operators
  await chainRpc.close();
  rmSync(dataDir, { recursive: true, force: true });
};
const grace = closeWithGrace({ delay: 20_000 }, async ({ err, signal }) => {
  if (err) console.error(err);
  if (signal) console.log(`\n${signal}: closing the gateway`);
  if (!stopping) await stop();
});

try {
  const url = await app.listen({ port: Number(env.PORT ?? 8545), host: env.HOST ?? '127.0.0.1' });
  const owner = privateKeyToAccount(generatePrivateKey());
  const { key } = await createApiKey(gateway.store, { permissions: ['read', 'write'], owner: owner.address });
  const client = new NewtonClient({ url: `${url}/rpc`, apiKey: key });

  console.log(`\n== devnet: gateway ${url}/rpc, ${OPERATORS} in-process operators, chain ${CHAIN_ID}`);
  console.log(`   owner ${owner.address} (a key generated for this run), its API key ${key}`);
  console.log(`   fixture chain RPC ${chainRpc.origin} (eth_chainId, eth_gasPrice ${Number(chainRpc.gasPriceWei) / 1e9} gwei)`);
  console.log('\n== publish the examples (newton_publishPolicyData, newton_publishPolicy)');
  const published = await publishExamples(client, owner);
  await devnetTour({ client, owner, chainId: CHAIN_ID, published, chainRpc });

  console.log('\nThe devnet keeps its registry while it runs; call it with the key above, e.g.');
  console.log(`   curl -s ${url}/rpc -H 'authorization: Bearer ${key}' -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"newton_blockNumber","params":{}}'`);
  console.log('Next: `npx newton policy --help`, `npm test`, `npm run bench`.');
  if (env.NEWTON_TOUR_EXIT === '1') {
    await stop();
    grace.uninstall();
  } else {
    console.log(`\nserving on ${url} — Ctrl-C to stop`);
  }
} catch (err) {
  if (err?.code === 'EADDRINUSE') console.error(`${err.message}: something else listens there; set PORT (0 = any free port)`);
  else console.error(err);
  await stop().catch(() => undefined);
  grace.uninstall();
  process.exitCode = 1;
}
