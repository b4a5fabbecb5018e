// newt_registerWebhook / newt_unregisterWebhook: one failure webhook per API key.
import { Type } from '@sinclair/typebox';
import { invalidParams } from '../rpc/errors.js';
import { method, type Method } from '../rpc/method.js';
import { NoParams, Opt } from '../rpc/types.js';
import type { FailureType } from '../store/store.js';

const FAILURE_TYPES: FailureType[] = [
  'channel_error', 'timeout', 'quorum_not_reached', 'onchain_submission_failed',
  'policy_evaluation_failed', 'signature_verification_failed', 'internal_error',
];

export const webhookMethods: Method[] = [
  method(
    'newt_registerWebhook',
    'write',
    Type.Object({
      url: Type.String({ minLength: 1, maxLength: 2048 }),
      secret: Opt(Type.String({ maxLength: 1024 })),
      timeout_seconds: Opt(Type.Integer({ minimum: 1, maximum: 60 })),
      max_retries: Opt(Type.Integer({ minimum: 0, maximum: 10 })),
      failure_types: Opt(Type.Array(Type.Union(FAILURE_TYPES.map((t) => Type.Literal(t))), { maxItems: FAILURE_TYPES.length })),
    }),
    async (p, { gateway, key }) => {
      let url: URL;
      try {
        url = new URL(p.url);
      } catch {
        throw invalidParams('url must be an absolute http(s) URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidParams('url must be an absolute http(s) URL');
      await gateway.store.putWebhook({
        keyId: key.id,
        url: url.href,
        secret: p.secret ?? null,
        timeoutSeconds: p.timeout_seconds ?? 10,
        maxRetries: p.max_retries ?? 3,
        failureTypes: p.failure_types ?? null,
      });
      return { success: true, message: `Webhook registered: ${url.href}` };
    },
  ),
  method('newt_unregisterWebhook', 'write', NoParams, async (_, { gateway, key }) => {
    const removed = await gateway.store.deleteWebhook(key.id);
    return { success: removed, message: removed ? 'Webhook unregistered' : 'No webhook was registered' };
  }),
];
