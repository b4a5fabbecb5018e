// A sandbox job (loaded into each worker through the pool's jobModules): compiles a published
// policy with its params schema, so a caller's Rego is never compiled in the gateway process.
import { Policy } from 'newton-engine';
import { registerJob } from './sandbox/jobs.js';

export interface CompileJob {
  policy: string;
  entrypoint: string;
  params_schema?: Record<string, unknown>;
}

registerJob('compilePolicy', async (payload) => {
  const { policy, entrypoint, params_schema } = payload as CompileJob;
  await Policy.compile([{ path: 'policy.rego', source: policy }], entrypoint, params_schema ? { paramsSchema: params_schema } : {});
  return { compiled: true };
});
