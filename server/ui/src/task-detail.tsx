// One task: its decision and why, the parsed intent the policy saw, the attestation, and its
// entry's inclusion proof in the decision log, checked here against the signed tree head.
import { useEffect, useState } from 'preact/hooks';
import type { Hex, TaskResult, TaskUpdate } from './api.js';
import { allowed, parsedIntent, rpc, short } from './api.js';
import { verifyInclusion, type InclusionProof, type Verification } from './proof.js';

interface Detail {
  /** The task this was fetched for: a detail switched to another task shows nothing stale. */
  taskId: Hex;
  task: Record<string, unknown>;
  result: TaskResult | null;
  intent: unknown;
}

interface LogEntry { index: number; entry: Record<string, unknown>; entry_json: string; leaf_hash: string }
type ProofState = { state: 'loading' } | { state: 'absent'; why: string } | ({ state: 'checked'; proof: InclusionProof; entry: LogEntry } & Verification);

function Proof({ taskId, gateway, finished }: { taskId: Hex; gateway: Hex; finished: boolean }) {
  const [proof, setProof] = useState<ProofState>({ state: 'loading' });
  useEffect(() => {
    if (!finished) return setProof({ state: 'absent', why: 'the task has not ended' });
    let live = true;
    Promise.all([rpc<LogEntry>('newton_getLogEntry', { task_id: taskId }), rpc<InclusionProof>('newton_getInclusionProof', { task_id: taskId })])
      .then(async ([entry, p]) => live && setProof({ state: 'checked', proof: p, entry, ...(await verifyInclusion(entry.entry_json, p, gateway)) }))
      .catch((err: Error) => live && setProof({ state: 'absent', why: err.message }));
    return () => void (live = false);
  }, [taskId, gateway, finished]);
  if (proof.state === 'loading') return <p class="muted">fetching the inclusion proof…</p>;
  if (proof.state === 'absent') return <p class="muted" data-proof="absent">No inclusion proof: {proof.why}</p>;
  const { proof: p, entry, verified, root, signer, why } = proof;
  const sth = p.signed_tree_head;
  return (
    <div data-proof={verified ? 'verified' : 'failed'}>
      <p class={verified ? 'ok' : 'error'}>
        <strong>{verified ? '✔ verified' : '✘ not verified'}</strong>
        {verified ? ': the entry hashes to its leaf, the audit path recomputes the tree head\'s root, and the gateway signed that tree head' : `: ${why}`}
      </p>
      <dl>
        <dt>leaf</dt><dd>{p.index} of {p.tree_size} · <code>{short(p.leaf_hash, 18)}</code></dd>
        <dt>audit path</dt><dd>{p.proof.length} hashes{root && <> → root <code>{short(root, 18)}</code></>}</dd>
        <dt>tree head</dt><dd>size {sth.tree_size}, root <code>{short(sth.root_hash, 18)}</code>, {new Date(sth.timestamp).toLocaleString()}, signed by <code title={sth.signer}>{short(sth.signer)}</code>{signer && <> (recovered <code title={signer}>{short(signer)}</code>)</>}</dd>
      </dl>
      <details>
        <summary>entry {entry.index} (hashes, never the private data)</summary>
        <pre>{JSON.stringify(entry.entry, null, 2)}</pre>
      </details>
    </div>
  );
}

/** The decision and why: a failure's error, else the operators' stated deny reasons (from the live feed). */
function decisionOf(result: TaskResult | null, update: TaskUpdate | undefined): { label: string; reason: string } {
  if (!result) return { label: 'pending', reason: 'the operators have not answered yet' };
  if (result.status === 'failed') return { label: 'FAILED', reason: `${result.error?.code}: ${result.error?.message}` };
  const errors = result.operator_errors.map((e) => `${short(e.operator_id)} ${e.error_code}`).join(', ');
  const signers = `${result.certificate?.signers.length} operators signed`;
  const reasons = [...new Set(update?.data.operator_responses.flatMap((r) => (r.round === 'commit' && r.reason ? [r.reason] : [])) ?? [])];
  return allowed(result)
    ? { label: 'ALLOW', reason: `the policy allowed it; ${signers}${errors && `; ${errors}`}` }
    : { label: 'DENY', reason: `${reasons.length ? `the operators report: ${reasons.join('; ')}` : 'the policy denied it'} (a deny is attested too); ${signers}${errors && `; ${errors}`}` };
}

export function TaskDetail({ taskId, gateway, update, onClose }: { taskId: Hex; gateway: Hex; update: TaskUpdate | undefined; onClose(): void }) {
  const [fetched, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    Promise.all([rpc<{ task: Record<string, unknown>; result: TaskResult | null }>('newton_getTask', { task_id: taskId }), parsedIntent(taskId)])
      .then(([task, intent]) => live && setDetail({ ...task, intent, taskId }))
      .catch((err: Error) => live && setError(err.message));
    return () => void (live = false);
  }, [taskId, update?.event]);
  const detail = fetched?.taskId === taskId ? fetched : null;
  const decision = decisionOf(detail?.result ?? null, update);
  return (
    <section class="detail" data-detail={taskId}>
      <h2>Task <code>{short(taskId, 18)}</code> <button onClick={onClose}>close</button></h2>
      {error && <p class="error">{error}</p>}
      {detail && (
        <>
          <p class="decision"><strong class={decision.label.toLowerCase()}>{decision.label}</strong> — {decision.reason}</p>
          {detail.result?.task_response && (
            <dl>
              <dt>policy client</dt><dd><code>{detail.result.task_response.policy_client}</code></dd>
              <dt>policy id</dt><dd><code>{detail.result.task_response.policy_id}</code></dd>
              <dt>policy</dt><dd><code>{detail.result.task_response.policy_address}</code></dd>
              <dt>attestation</dt><dd>block {detail.result.reference_block}, expires at {detail.result.expiration}, signature <code>{short(detail.result.certificate?.aggregate_signature ?? '', 18)}</code></dd>
            </dl>
          )}
          <h3>Parsed intent</h3>
          <pre>{JSON.stringify(detail.intent, null, 2)}</pre>
          <h3>Decision log</h3>
          <Proof taskId={taskId} gateway={gateway} finished={detail.result !== null} />
        </>
      )}
    </section>
  );
}
