// The gateway's in-process operator network: operators with persisted BLS keys that fetch the
// announced policies and modules from the gateway's content store (checked by hash).
import { NewtonError, type BlsSigner, type PolicyDataHost } from 'newton-engine';
import { OperatorNetwork, createInProcessOperators, type ContentSource } from './network/index.js';
import type { GatewayStore } from './store/store.js';

export function storeContent(store: GatewayStore): ContentSource {
  return {
    async get(cid) {
      const bytes = await store.content(cid);
      if (!bytes) throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `no content with id ${cid}` });
      return bytes;
    },
  };
}

export async function localNetwork(store: GatewayStore, host: PolicyDataHost, signers: BlsSigner[]): Promise<OperatorNetwork> {
  const { operators, registry } = await createInProcessOperators({ content: storeContent(store), signers, host });
  return new OperatorNetwork(registry, operators);
}
