// The registry: each policy client the page has seen in a task (or looked up), its current
// policy and every version (policy id) setPolicy / setPolicyParams made, with the policy's code.
import { useEffect, useState } from 'preact/hooks';
import type { Hex } from './api.js';
import { rpc, short } from './api.js';

interface PolicyIdView { policy_id: Hex; policy_address: Hex; block: number; policy_config: { expireAfter: number } }
interface ClientView extends PolicyIdView { policy_client: Hex; owner: Hex; registered_block: number; history: PolicyIdView[] }
interface PolicyView { policy_address: Hex; policy_cid: string; policy_code_hash: Hex; entrypoint: string; policy_data: Hex[] }

function Client({ address, seen }: { address: Hex; seen: string }) {
  const [client, setClient] = useState<ClientView | null>(null);
  const [policies, setPolicies] = useState<Record<string, PolicyView>>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    rpc<ClientView>('newton_getPolicyClient', { policy_client: address })
      .then(async (c) => {
        setClient(c);
        const addresses = [...new Set(c.history.map((h) => h.policy_address))];
        const views = await Promise.all(addresses.map((policy) => rpc<PolicyView>('newton_getPolicy', { policy })));
        setPolicies(Object.fromEntries(views.map((v) => [v.policy_address.toLowerCase(), v])));
      })
      .catch((err: Error) => setError(err.message));
  }, [address, seen]);
  if (error) return <li class="error">{short(address)}: {error}</li>;
  if (!client) return <li class="muted">{short(address)}…</li>;
  return (
    <li data-client={client.policy_client}>
      <strong><code>{client.policy_client}</code></strong> owned by <code>{short(client.owner)}</code>, registered at block {client.registered_block}
      <ol class="versions">
        {client.history.map((v, i) => {
          const policy = policies[v.policy_address.toLowerCase()];
          return (
            <li key={v.policy_id} class={v.policy_id === client.policy_id ? 'current' : ''}>
              v{i + 1} <code title={v.policy_id}>{short(v.policy_id, 14)}</code> at block {v.block}: policy <code title={v.policy_address}>{short(v.policy_address)}</code>
              {policy && <> <code>{policy.entrypoint}</code>, code hash <code title={policy.policy_code_hash}>{short(policy.policy_code_hash)}</code>, {policy.policy_data.length} PolicyData</>}
              , attestations valid {v.policy_config.expireAfter} blocks{v.policy_id === client.policy_id && ' (current)'}
            </li>
          );
        })}
      </ol>
    </li>
  );
}

/** `clients`: each client seen in a task, with the policy id it last ran under (a new one reloads it). */
export function Registry({ clients }: { clients: Map<Hex, string> }) {
  const [extra, setExtra] = useState<Hex[]>([]);
  const [lookup, setLookup] = useState('');
  const all = [...new Set([...clients.keys(), ...extra].map((c) => c.toLowerCase() as Hex))];
  return (
    <section>
      <h2>Registry <small>{all.length} policy clients</small></h2>
      <form onSubmit={(e) => (e.preventDefault(), /^0x[0-9a-fA-F]{40}$/.test(lookup) && setExtra([...extra, lookup as Hex]), setLookup(''))}>
        <input value={lookup} onInput={(e) => setLookup(e.currentTarget.value)} placeholder="policy client address 0x…" size={46} />
        <button>look up</button>
      </form>
      {all.length === 0 && <p class="muted">Policy clients appear here as their tasks arrive, or look one up.</p>}
      <ul class="clients">{all.map((address) => <Client key={address} address={address} seen={clients.get(address) ?? ''} />)}</ul>
    </section>
  );
}
