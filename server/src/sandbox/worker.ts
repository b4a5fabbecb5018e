// A sandbox worker process (forked by the pool): registers the job kinds, says it is ready, then
// runs one job at a time and answers with JSON. It exits when the pool's IPC channel goes away,
// or (stuck in a job) when its orphan guard sees the pool's process gone.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { NewtonError } from 'newton-engine';
import { errorToWire } from './errors.js';
import { registerJob, runJob } from './jobs.js';
import type { JobMessage, WorkerConfig, WorkerMessage } from './protocol.js';
import { simulator } from './simulate-job.js';

const config = JSON.parse(process.argv[2]!) as WorkerConfig;

const send = (message: WorkerMessage) => process.send?.(message);

// A thread starts only while this one's event loop turns: wait until it is armed before any job.
const guard = new Worker(new URL('./orphan-guard.js', import.meta.url), { workerData: { ppid: process.ppid, intervalMs: 500 } });
const guardArmed = once(guard, 'message').then(() => guard.unref());

/** Results are capped so that parsing one never stalls the gateway's event loop. */
function checkedResult(value: unknown): unknown {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > config.maxResultBytes) {
    throw new NewtonError({
      code: 'NEWTON_ERR_LIMIT_SIZE',
      message: `the result is ${bytes} bytes of JSON, over the sandbox's ${config.maxResultBytes}`,
      details: { bytes, maxResultBytes: config.maxResultBytes },
    });
  }
  return value;
}

registerJob('simulatePolicy', simulator(config));
for (const module of config.jobModules) await import(module);
await guardArmed;

process.on('disconnect', () => process.exit(0));
process.on('message', (message: JobMessage) => {
  runJob(message.kind, message.payload)
    .then(checkedResult)
    .then(
      (value) => send({ type: 'result', id: message.id, value }),
      (err: unknown) => send({ type: 'error', id: message.id, error: errorToWire(err) }),
    );
});
send({ type: 'ready' });
