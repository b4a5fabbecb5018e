// The gateway process: opens the data directory, starts the app and listens; close-with-grace
// finishes (or fails) in-flight tasks on SIGINT/SIGTERM. Configuration from the environment:
// NEWTON_DATA_DIR (./newton-data), PORT (8545), HOST (127.0.0.1), NEWTON_CHAIN_ID (11155111),
// NEWTON_BLOCK_TIME_MS (12000), NEWTON_OPERATORS (4 in-process operators).
import closeWithGrace from 'close-with-grace';
import { createGateway } from './index.js';

const env = process.env;
const { app } = await createGateway({
  dataDir: env.NEWTON_DATA_DIR ?? 'newton-data',
  chainId: env.NEWTON_CHAIN_ID ? Number(env.NEWTON_CHAIN_ID) : undefined,
  blockTimeMs: env.NEWTON_BLOCK_TIME_MS ? Number(env.NEWTON_BLOCK_TIME_MS) : undefined,
  operators: Number(env.NEWTON_OPERATORS ?? 4),
});
closeWithGrace({ delay: 20_000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  await app.close();
});
await app.listen({ port: Number(env.PORT ?? 8545), host: env.HOST ?? '127.0.0.1' });
