// Inside a signature worker thread: recovers the signer of EIP-712 typed data (viem; ≈1–4 ms of
// elliptic-curve work that must not run on the gateway's event loop).
import { parentPort } from 'node:worker_threads';
import { recoverTypedDataAddress, type Hex } from 'viem';

export interface RecoverRequest {
  id: number;
  typedData: Parameters<typeof recoverTypedDataAddress>[0];
}

export type RecoverReply = { id: number; signer: Hex } | { id: number; error: string };

parentPort!.on('message', async ({ id, typedData }: RecoverRequest) => {
  try {
    parentPort!.postMessage({ id, signer: await recoverTypedDataAddress(typedData) } satisfies RecoverReply);
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies RecoverReply);
  }
});
