// Bearer API keys: created once (the secret is shown only then), stored as sha256, each with
// read (tasks, simulation) and/or write (secrets, uploads, registry) permission.
import { createHash, randomBytes } from 'node:crypto';
import type { Hex } from 'newton-engine';
import type { ApiKeyRecord, GatewayStore, Permission } from './store/store.js';

export const hashApiKey = (key: string): Hex => `0x${createHash('sha256').update(key, 'utf8').digest('hex')}`;

/** Creates a key; the returned `key` is the only copy of the secret. */
export async function createApiKey(
  store: GatewayStore,
  options: { permissions: Permission[]; owner?: Hex | null },
): Promise<{ id: string; key: string; permissions: Permission[] }> {
  const permissions = [...new Set(options.permissions)];
  if (permissions.length === 0 || permissions.some((p) => p !== 'read' && p !== 'write')) {
    throw new RangeError('permissions must be a non-empty list of "read" and "write"');
  }
  const id = randomBytes(8).toString('hex');
  const key = `nwt_${id}_${randomBytes(24).toString('base64url')}`;
  const record: ApiKeyRecord = { id, hash: hashApiKey(key), permissions, owner: options.owner ?? null, createdAt: Date.now() };
  await store.insertApiKey(record);
  return { id, key, permissions };
}

/** The stored key for a presented secret, or null. */
export function findApiKey(store: GatewayStore, key: string): Promise<ApiKeyRecord | null> {
  return store.apiKeyByHash(hashApiKey(key));
}
