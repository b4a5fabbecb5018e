// Inside a worker process: the job kinds it runs, by name. The worker registers `simulatePolicy`;
// a module listed in the pool's `jobModules` may register more (tests register fault injectors).
import { NewtonError } from 'newton-engine';

export type JobHandler = (payload: unknown) => unknown;

const handlers = new Map<string, JobHandler>();

/** Makes `kind` runnable in this worker (call it from a module in the pool's `jobModules`). */
export function registerJob(kind: string, handler: JobHandler): void {
  handlers.set(kind, handler);
}

export async function runJob(kind: string, payload: unknown): Promise<unknown> {
  const handler = handlers.get(kind);
  if (!handler) throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `no sandbox job kind ${JSON.stringify(kind)}` });
  return handler(payload);
}
