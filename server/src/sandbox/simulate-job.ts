// Inside a worker: the simulatePolicy job. Parses the intent, compiles the policy (cached by
// content hash), runs or takes each PolicyData, merges `data.wasm` and evaluates. A worker runs
// one job at a time, so compiling and evaluating on its own thread blocks nobody.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  NewtonError,
  Policy,
  PolicyDataHost,
  mergePolicyDataOutputs,
  parseIntent,
  policyCid,
  type PolicyDataModule,
} from 'newton-engine';
import { Lru } from './lru.js';
import type { WorkerConfig } from './protocol.js';
import { DEFAULT_ENTRYPOINT, type SimulationResult, type WireSimulation, type WireSimulationPolicyData } from './simulation.js';

/** The reserved wasm_args key operators strip before a module sees the args. */
const RESERVED_KEY = '_newton';

const invalid = (message: string) => new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message });

/** The job handler, with this worker's caches and (lazily) its PolicyData host. */
export function simulator(config: WorkerConfig): (payload: unknown) => Promise<SimulationResult> {
  const policies = new Lru<string, Policy>(config.cacheSize);
  const modules = new Lru<string, PolicyDataModule>(config.cacheSize);
  let host: PolicyDataHost | undefined;
  const policyDataHost = () => (host ??= new PolicyDataHost(config.policyData));

  function compiled(source: string, entrypoint: string): Policy {
    const key = createHash('sha256').update(entrypoint).update('\0').update(source).digest('hex');
    const cached = policies.get(key);
    if (cached) return cached;
    const policy = Policy.compileSync([{ path: 'policy.rego', source }], entrypoint, { limits: config.limits });
    policies.set(key, policy);
    return policy;
  }

  async function moduleByCid(cid: string): Promise<PolicyDataModule> {
    const cached = modules.get(cid);
    if (cached) return cached;
    if (!config.policyDataDir) throw invalid(`PolicyData ${cid}: this sandbox has no policyDataDir to load content ids from`);
    if (!/^[a-z0-9]+$/i.test(cid)) throw invalid(`PolicyData ${JSON.stringify(cid)} is not a content id`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path.join(config.policyDataDir, `${cid}.wasm`));
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new NewtonError({
        code: missing ? 'NEWTON_ERR_INVALID_ARGUMENT' : 'NEWTON_ERR_IO',
        message: missing ? `PolicyData ${cid} is not available` : `PolicyData ${cid}: ${(err as Error).message}`,
      });
    }
    if (policyCid(bytes) !== cid) {
      throw new NewtonError({ code: 'NEWTON_ERR_POLICY_DATA_INVALID', message: `PolicyData ${cid}: stored bytes do not match the content id` });
    }
    const loaded = await policyDataHost().load(bytes);
    modules.set(cid, loaded);
    return loaded;
  }

  async function output(entry: WireSimulationPolicyData, index: number): Promise<Record<string, unknown>> {
    const name = entry.policy_data_address ?? `#${index}`;
    if (entry.data !== undefined) return entry.data;
    try {
      let module: PolicyDataModule;
      if (entry.wasm_base64 !== undefined) module = await policyDataHost().load(Buffer.from(entry.wasm_base64, 'base64'));
      else if (entry.wasm_cid !== undefined) module = await moduleByCid(entry.wasm_cid);
      else throw invalid('needs `wasm`, `wasm_cid` or `data`');
      const run = await module.run(moduleArgs(entry.wasm_args), { secrets: entry.secrets });
      return JSON.parse(run.output) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof NewtonError) throw new NewtonError({ code: err.code, message: `PolicyData ${name}: ${err.message}`, details: err.details });
      throw err;
    }
  }

  return async (payload) => {
    const simulation = payload as WireSimulation;
    const entrypoint = simulation.entrypoint ?? DEFAULT_ENTRYPOINT;
    const parsed = parseIntent(simulation.intent);
    const policy = compiled(simulation.policy, entrypoint);
    const outputs = await Promise.all((simulation.policy_data ?? []).map(output));
    const params = simulation.policy_params ?? {};
    const wasm = mergePolicyDataOutputs(outputs);
    const decision = policy.evaluateSync({ intent: simulation.intent, params, wasm });
    return { decision, parsed_intent: parsed, policy_params_and_data: { params, wasm }, entrypoint, result: decision.result ?? null };
  };
}

/** What a module receives: the args without the reserved `_newton` key (text kept as is otherwise). */
function moduleArgs(args: Record<string, unknown> | string = '{}'): Record<string, unknown> | string {
  let value: unknown = args;
  if (typeof args === 'string') {
    try {
      value = JSON.parse(args);
    } catch (err) {
      throw new NewtonError({ code: 'NEWTON_ERR_INVALID_JSON', message: `wasm_args: ${(err as Error).message}` });
    }
  }
  if (value === null || typeof value !== 'object' || !(RESERVED_KEY in value)) return args;
  const { [RESERVED_KEY]: _reserved, ...rest } = value as Record<string, unknown>;
  return rest;
}
