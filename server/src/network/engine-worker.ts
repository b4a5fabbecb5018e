// Worker thread for the round engine: the engine's synchronous consensus and digest calls on large
// inputs (≈0.14 ms per KB of PolicyData), kept off the gateway's event loop.
import { parentPort } from 'node:worker_threads';
import { NewtonError, consensusDigest, operatorConsensus } from 'newton-engine';
import type { EngineRequest, EngineReply } from './engine-calls.js';

const port = parentPort;
if (port === null) throw new Error('engine-worker.js runs as a worker thread');

port.on('message', (request: EngineRequest) => {
  let reply: EngineReply;
  try {
    const value = request.fn === 'consensus' ? operatorConsensus(request.results, request.tolerance) : consensusDigest(request.response);
    reply = { id: request.id, value };
  } catch (err) {
    const { code, message, details } = err instanceof NewtonError ? err : { code: 'NEWTON_ERR_INTERNAL' as const, message: String(err), details: undefined };
    reply = { id: request.id, error: { code, message, details } };
  }
  port.postMessage(reply);
});
