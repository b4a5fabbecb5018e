// The gateway process: opens the data directory, starts the app and listens; close-with-grace
// finishes (or fails) in-flight tasks on SIGINT/SIGTERM. Configuration from the environment:
// NEWTON_DATA_DIR (./newton-data), PORT (8545), HOST (127.0.0.1), NEWTON_CHAIN_ID (11155111),
// NEWTON_BLOCK_TIME_MS (12000), NEWTON_DATABASE_URL (PostgreSQL instead of gateway.db),
// NEWTON_GATEWAY_KEYS (a keys file shared by the gateways of one network),
// NEWTON_ADMIT_OPERATORS (comma-separated operator ids or 'any': operator services register
// themselves) with NEWTON_NATS_URL (their bus), else NEWTON_OPERATORS (4 in-process operators);
// chain mode with NEWTON_CHAIN_RPC, NEWTON_CHAIN_CONTRACTS (the deploy step's JSON file) and
// NEWTON_CHAIN_PRIVATE_KEY (the posting key; default the gateway's signing key).
import closeWithGrace from 'close-with-grace';
import type { Hex } from 'newton-engine';
import { createGateway } from './index.js';

const env = process.env;
const admit = env.NEWTON_ADMIT_OPERATORS;
const { app } = await createGateway({
  dataDir: env.NEWTON_DATA_DIR ?? 'newton-data',
  database: env.NEWTON_DATABASE_URL || undefined,
  keysFile: env.NEWTON_GATEWAY_KEYS || undefined,
  chainId: env.NEWTON_CHAIN_ID ? Number(env.NEWTON_CHAIN_ID) : undefined,
  blockTimeMs: env.NEWTON_BLOCK_TIME_MS ? Number(env.NEWTON_BLOCK_TIME_MS) : undefined,
  ...(env.NEWTON_CHAIN_RPC && {
    chain: { rpcUrl: env.NEWTON_CHAIN_RPC, contracts: env.NEWTON_CHAIN_CONTRACTS ?? 'chain-contracts.json', privateKey: (env.NEWTON_CHAIN_PRIVATE_KEY || undefined) as Hex | undefined },
  }),
  ...(admit
    ? { admitOperators: admit === 'any' ? 'any' : (admit.split(',') as Hex[]), nats: env.NEWTON_NATS_URL || undefined }
    : { operators: Number(env.NEWTON_OPERATORS ?? 4) }),
});
closeWithGrace({ delay: 20_000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  await app.close();
});
await app.listen({ port: Number(env.PORT ?? 8545), host: env.HOST ?? '127.0.0.1' });
