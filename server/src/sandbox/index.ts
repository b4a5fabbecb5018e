// The sandbox for untrusted Rego (newt_simulatePolicy, newt_simulateTask): a crash-contained pool
// of worker processes. A native fault, an abort, a kill, a timeout or a memory blow-up costs one
// worker (replaced) and fails only its job; the gateway process never runs the caller's Rego.
//
//   const pool = await SandboxPool.start({ workers: 4 });
//   const { decision, parsed_intent, policy_params_and_data } = await pool.simulatePolicy({ policy, intent });
//   await pool.close();
//
// Errors: engine failures reject with the engine's NewtonError (its NEWTON_ERR_* code and
// details kept across the process boundary); the pool's own with SandboxError
// (NEWTON_ERR_SANDBOX_BUSY / _TIMEOUT / _MEMORY / _CRASHED / _CLOSED, in the engine's code table).
// Workers start with an empty environment (no gateway secrets), a capped V8 heap and a watched
// resident size; each runs one job at a time. Worker-side extensions (and tests) register job
// kinds with `registerJob` from './jobs.js' in a module listed in `jobModules`; nothing a caller
// sends can add one.
export { SandboxPool, type JobOptions, type PoolStats, type SandboxPoolOptions } from './pool.js';
export { SandboxError, type SandboxErrorCode } from './errors.js';
export { DEFAULT_ENTRYPOINT, type Simulation, type SimulationPolicyData, type SimulationResult } from './simulation.js';
export type { WorkerExit } from './worker-process.js';
