// The gateway's in-process operator network: operators with persisted BLS keys that fetch the
// announced policies and modules from the gateway's content store (checked by hash) and open
// private data with the gateway's privacy node (the key newt_getPrivacyPublicKey serves).
import { NewtonError, OperatorRegistry, type BlsSigner, type PolicyDataHost, type PrivacyNode } from 'newton-engine';
import { InProcessTransport, OperatorNetwork, registryEntry, type ContentSource } from './network/index.js';
import type { GatewayStore } from './store/store.js';

/** Each operator's stake in quorum 0. */
const STAKE = { 0: 1000 };

export function storeContent(store: GatewayStore): ContentSource {
  return {
    async get(cid) {
      const bytes = await store.content(cid);
      if (!bytes) throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `no content with id ${cid}` });
      return bytes;
    },
  };
}

export async function localNetwork(store: GatewayStore, host: PolicyDataHost, privacy: PrivacyNode, signers: BlsSigner[]): Promise<OperatorNetwork> {
  const content = storeContent(store);
  const operators = signers.map((signer) => new InProcessTransport({ signer, host, content, privacy, stake: STAKE }));
  const registry = await OperatorRegistry.fromJson(operators.map((op) => registryEntry(op.identity)));
  return new OperatorNetwork(registry, operators);
}
