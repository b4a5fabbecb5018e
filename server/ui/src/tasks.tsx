// The live task feed: each task's status, every operator's vote in both rounds, the quorum bar
// (agreeing stake against the threshold) and, once aggregated, the attestation.
import type { Operator, TaskUpdate } from './api.js';
import { allowed, short } from './api.js';

function Votes({ update, operators }: { update: TaskUpdate; operators: Operator[] }) {
  const ids = new Set([...operators.map((o) => o.operator_id.toLowerCase()), ...update.data.operator_responses.map((r) => r.operator_id.toLowerCase())]);
  const answered = new Set(update.data.operator_responses.map((r) => r.operator_id.toLowerCase())).size;
  const signed = update.data.operator_responses.filter((r) => r.round === 'commit' && r.status === 'ok').length;
  return (
    <div class="votes" title={`${answered} of ${ids.size} operators answered, ${signed} signed`}>
      {[...ids].map((id) => {
        const answers = update.data.operator_responses.filter((r) => r.operator_id.toLowerCase() === id);
        const commit = answers.find((r) => r.round === 'commit');
        const failed = answers.find((r) => r.status === 'error');
        const kind = failed ? 'error' : commit ? (commit.allow ? 'allow' : 'deny') : answers.length ? 'prepared' : 'waiting';
        // The gateway stops waiting for commits once the quorum has signed.
        const late = kind === 'prepared' && update.event === 'aggregated' ? ' · commit not awaited: quorum already signed' : '';
        const title = `${short(id)}: ${answers.map((a) => `${a.round} ${a.status === 'ok' ? (a.round === 'commit' ? (a.allow ? 'ALLOW' : 'DENY') : 'ok') : a.error_code} ${Math.round(a.elapsed_ms)} ms`).join(' · ') || 'no answer yet'}${late}`;
        return <span key={id} class={`vote ${kind}`} data-vote={kind} title={title}>{short(id, 6)}</span>;
      })}
      <small class="muted">{answered}/{ids.size} voted · {signed} signed</small>
    </div>
  );
}

function Quorum({ update }: { update: TaskUpdate }) {
  const { agreeing_stake_percent: agreeing, quorum_threshold: threshold } = update.data.progress;
  const certificate = update.data.result?.certificate;
  const percent = certificate ? signedPercent(certificate.signed_stake, certificate.total_stake) : agreeing;
  const filled = update.event === 'aggregated' || percent >= threshold;
  return (
    <div class="quorum" data-quorum-filled={String(filled)} title={`${percent.toFixed(0)} % of stake agrees, quorum ${threshold} %`}>
      <div class="fill" style={{ width: `${Math.min(100, percent)}%` }} />
      <div class="threshold" style={{ left: `${threshold}%` }} />
      <span>{percent.toFixed(0)} % / {threshold} %</span>
    </div>
  );
}

/** The least-covered quorum's signed share, percent. */
function signedPercent(signed: Record<string, string>, total: Record<string, string>): number {
  const shares = Object.keys(total).map((q) => (Number(BigInt(signed[q] ?? '0') * 10_000n / BigInt(total[q] || '1')) / 100));
  return shares.length ? Math.min(...shares) : 0;
}

function Outcome({ update }: { update: TaskUpdate }) {
  const result = update.data.result;
  if (!result) return <span class="pending">{update.data.status}</span>;
  if (result.status === 'failed') return <span class="failed" title={result.error?.message}>failed {result.error?.code}</span>;
  const cert = result.certificate!;
  return (
    <span class={allowed(result) ? 'allow' : 'deny'} title={`aggregate signature ${cert.aggregate_signature}`}>
      {allowed(result) ? 'ALLOW' : 'DENY'} · attested by {cert.signers.length} <code>{short(cert.aggregate_signature, 12)}</code>
    </span>
  );
}

export function Tasks({ tasks, operators, connected, onSelect, selected }: {
  tasks: TaskUpdate[];
  operators: Operator[];
  connected: boolean;
  selected: string | null;
  onSelect(taskId: string): void;
}) {
  return (
    <section>
      <h2>Tasks <small class={connected ? 'ok' : 'error'}>{connected ? 'live' : 'reconnecting…'}</small></h2>
      {tasks.length === 0 && <p class="muted">No tasks yet: submit one (newt_createTask) and it appears here.</p>}
      <table class="tasks">
        <thead>
          <tr><th>task</th><th>votes</th><th>quorum</th><th>outcome</th></tr>
        </thead>
        <tbody>
          {tasks.map((update) => (
            <tr key={update.task_id} data-task={update.task_id} data-event={update.event} class={selected === update.task_id ? 'selected' : ''} onClick={() => onSelect(update.task_id)}>
              <td><a href={`#${update.task_id}`}><code>{short(update.task_id, 12)}</code></a><br /><small>{new Date(update.timestamp).toLocaleTimeString()}</small></td>
              <td><Votes update={update} operators={operators} /></td>
              <td><Quorum update={update} /></td>
              <td><Outcome update={update} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
