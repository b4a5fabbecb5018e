// The simulate-policy job's input and output (newt_simulatePolicy's shapes, snake_case) and the
// JSON form its input crosses to a worker in (component bytes as base64).
import type { Decision, ParsedIntent, TaskIntent } from 'newton-engine';

/**
 * One PolicyData of the simulated policy: a component to run (`wasm` bytes or a `wasm_cid` read
 * from the pool's `policyDataDir`) on `wasm_args`, or an output already at hand (`data`).
 */
export interface SimulationPolicyData {
  /** Names the PolicyData in error messages. */
  policy_data_address?: string;
  wasm?: Uint8Array;
  /** CIDv1 (raw, sha2-256) of the component: `<policyDataDir>/<wasm_cid>.wasm`, checked against it. */
  wasm_cid?: string;
  /** The task's wasm_args, decoded: a JSON object or its text (`{}` by default). */
  wasm_args?: Record<string, unknown> | string;
  /** What `secrets.get` returns during the run (decrypted secrets JSON). */
  secrets?: Record<string, unknown> | string;
  /** This PolicyData's output, used as is instead of a run (newt_simulateTask's `policyData[].data`). */
  data?: Record<string, unknown>;
}

/** An untrusted policy simulation: newt_simulatePolicy's params, resolved by the gateway. */
export interface Simulation {
  /** Rego source of the one module `policy.rego`. */
  policy: string;
  /** `package.rule` (or `data.package.rule`); `policy.allow` by default. */
  entrypoint?: string;
  /** The wire intent (snake_case or camelCase keys), parsed as operators parse it. */
  intent: TaskIntent;
  /** `data.params` (`{}` by default). */
  policy_params?: Record<string, unknown>;
  /** Run or given in this order; outputs merge shallowly into `data.wasm`, later ones winning a key. */
  policy_data?: SimulationPolicyData[];
}

/** The decision and what newt_simulatePolicy reports inside its `evaluation_result`. */
export interface SimulationResult {
  decision: Decision;
  /** Rego `input`. */
  parsed_intent: ParsedIntent;
  policy_params_and_data: { params: Record<string, unknown>; wasm: Record<string, unknown> };
  /** As given (or the default). */
  entrypoint: string;
  /** The entrypoint's value; `null` when undefined or on an evaluation error. */
  result: unknown;
}

/** A SimulationPolicyData on the wire: bytes as base64. */
export type WireSimulationPolicyData = Omit<SimulationPolicyData, 'wasm'> & { wasm_base64?: string };

export type WireSimulation = Omit<Simulation, 'policy_data'> & { policy_data?: WireSimulationPolicyData[] };

export const DEFAULT_ENTRYPOINT = 'policy.allow';

export function simulationToWire(simulation: Simulation): WireSimulation {
  const { policy_data, ...rest } = simulation;
  if (!policy_data) return rest;
  return {
    ...rest,
    policy_data: policy_data.map(({ wasm, ...entry }) =>
      wasm === undefined ? entry : { ...entry, wasm_base64: Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength).toString('base64') },
    ),
  };
}
