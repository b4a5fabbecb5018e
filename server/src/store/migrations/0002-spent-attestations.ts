// Migration 2: the attestation spent set, kept in the database when gateways share one (the
// single-gateway default is the validator's spent.db). Keyed by task id as the Rust SpentStore
// keys it, with the spent attestation's hash and the time of the spend.
import type { Migration } from './index.js';

export const spentAttestations: Migration = {
  version: 2,
  name: 'spent attestations',
  sql: `
CREATE TABLE spent_attestations (task_id text PRIMARY KEY, attestation_hash text NOT NULL, spent_at timestamptz NOT NULL DEFAULT now());
`,
};
