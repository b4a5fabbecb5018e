// Failure notifications to the webhook of the API key that submitted a task (Newton's payload):
// HMAC-SHA256 of the body in X-Newton-Signature, an idempotency key, exponential backoff from
// 100 ms up to 10 s, no retry on a 4xx other than 429.
import { createHmac, randomUUID } from 'node:crypto';
import type { Gateway } from '../gateway.js';
import type { FailureType } from '../store/store.js';
import type { TaskFailure } from './results.js';

export function failureType(code: string): FailureType {
  if (/TIMEOUT/.test(code)) return 'timeout';
  if (code === 'NEWTON_ERR_INSUFFICIENT_QUORUM_STAKE' || code.startsWith('NEWTON_ERR_CONSENSUS_')) return 'quorum_not_reached';
  if (code === 'NEWTON_ERR_SIGNATURE_INVALID') return 'signature_verification_failed';
  if (code === 'NEWTON_ERR_OPERATOR_UNAVAILABLE') return 'channel_error';
  if (/^NEWTON_ERR_(POLICY|PARAMS|PRIVACY|LIMIT)_/.test(code)) return 'policy_evaluation_failed';
  return 'internal_error';
}

/** Posts the failure to the key's webhook (if any and subscribed to its type); never throws. */
export async function notifyFailure(gateway: Gateway, keyId: string, failure: TaskFailure): Promise<void> {
  const hook = await gateway.store.webhook(keyId).catch(() => null);
  if (!hook) return;
  const type = failureType(failure.error.code);
  if (hook.failureTypes && !hook.failureTypes.includes(type)) return;
  const body = JSON.stringify({
    notification_id: randomUUID(),
    task_id: failure.task_id,
    timestamp: failure.timestamp,
    failure_type: type,
    error_message: failure.error.message,
    context: { operator_count: failure.operator_errors.length, ...failure.error.details },
    is_recoverable: type === 'timeout' || type === 'channel_error',
    retry_after_seconds: null,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-idempotency-key': failure.task_id };
  if (hook.secret) headers['x-newton-signature'] = `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`;
  for (let attempt = 0, delay = 100; attempt <= hook.maxRetries; attempt++, delay = Math.min(delay * 2, 10_000)) {
    try {
      const res = await fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(hook.timeoutSeconds * 1000) });
      if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 429)) return;
    } catch {
      // Unreachable or timed out: retried below.
    }
    if (attempt < hook.maxRetries) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
