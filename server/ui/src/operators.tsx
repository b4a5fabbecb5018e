// The operators: id, address, stake per quorum, where the gateway reaches them, and liveness.
import type { Operator } from './api.js';
import { short } from './api.js';

const ago = (ms: number) => (ms === 0 ? 'not since start' : `${Math.max(0, Math.round((Date.now() - ms) / 1000))} s ago`);

export function Operators({ list, error }: { list: Operator[]; error: string | null }) {
  return (
    <section>
      <h2>Operators <small>{list.filter((o) => o.live).length} of {list.length} live</small></h2>
      {error && <p class="error">{error}</p>}
      <table class="operators">
        <thead>
          <tr><th></th><th>operator</th><th>address</th><th>stake</th><th>reached at</th><th>last seen</th></tr>
        </thead>
        <tbody>
          {list.map((op) => (
            <tr key={op.operator_id} data-operator={op.operator_id} data-live={String(op.live)} class={op.live ? 'live' : 'down'}>
              <td><span class="dot" title={op.live ? 'live' : 'down'} /></td>
              <td><code title={op.operator_id}>{short(op.operator_id)}</code></td>
              <td><code title={op.operator_address}>{short(op.operator_address)}</code></td>
              <td>{Object.entries(op.stake).map(([quorum, stake]) => `q${quorum}: ${stake}`).join(', ')}</td>
              <td><code>{op.url}</code></td>
              <td>{op.live ? ago(op.last_seen) : op.unreachable_since ? `unreachable ${ago(op.unreachable_since)}` : `silent, ${ago(op.last_seen)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
