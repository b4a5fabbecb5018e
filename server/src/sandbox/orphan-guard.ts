// A thread in each worker process that kills the process once the pool's process is gone: a
// worker stuck in a job never sees its IPC channel close, so `disconnect` alone cannot end it.
import { parentPort, workerData } from 'node:worker_threads';

const { ppid, intervalMs } = workerData as { ppid: number; intervalMs: number };

setInterval(() => {
  try {
    process.kill(ppid, 0);
  } catch {
    process.kill(process.pid, 'SIGKILL');
  }
}, intervalMs);
parentPort?.postMessage('armed');
