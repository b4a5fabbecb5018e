// newton-server: the gateway (createGateway = the services of one data directory + the fastify
// app), its API keys, block clock and storage interface; the operator service (runOperator).
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import { Gateway, type GatewayOptions } from './gateway.js';

export { buildApp, type AppOptions } from './app.js';
export { ALL_TASKS, Gateway, type GatewayOptions } from './gateway.js';
export { createApiKey, hashApiKey } from './api-keys.js';
export { BlockClock, type BlockClockOptions, type Clock } from './clock.js';
export type { ChainContracts, ChainOptions } from './chain/index.js';
export type { TaskNetwork, RunOptions as TaskRunOptions } from './tasks/network.js';
export type { TaskResult, TaskSuccess, TaskFailure, TaskUpdate } from './tasks/results.js';
export type { GatewayStore, Permission } from './store/store.js';
export { SqliteStore } from './store/sqlite.js';
export { PostgresStore } from './store/postgres.js';
export { RegisteredOperators, type RegisteredOperator } from './network/registered-operators.js';
export { startDevnet, DEVNET_CHAIN_ID, type Devnet, type DevnetOptions } from './devnet/devnet.js';
export { runOperator, type OperatorConfig, type RunningOperatorService } from './operator/run.js';

/** Opens the gateway's data directory and builds its app (not listening). */
export async function createGateway(options: GatewayOptions & AppOptions): Promise<{ gateway: Gateway; app: FastifyInstance }> {
  const gateway = await Gateway.open(options);
  try {
    return { gateway, app: await buildApp(gateway, options) };
  } catch (err) {
    await gateway.close();
    throw err;
  }
}
