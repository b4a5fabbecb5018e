// Migration 1: the gateway's tables, column for column those of SqliteStore. Addresses and ids are
// lowercase text; blocks, nonces and times bigint; content bytea. Records handed back verbatim
// (tasks, results, JSON Schemas) are `json`, which keeps the text as written (key order, "\u0000");
// lists the store only reads whole (permissions, failure types, PolicyData addresses) are jsonb.
import type { Migration } from './index.js';

export const gatewaySchema: Migration = {
  version: 1,
  name: 'gateway schema',
  sql: `
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE content (cid text PRIMARY KEY, bytes bytea NOT NULL);
CREATE TABLE api_keys (id text PRIMARY KEY, hash text NOT NULL UNIQUE, permissions jsonb NOT NULL, owner text, created_at bigint NOT NULL);
CREATE TABLE nonces (signer text PRIMARY KEY, next bigint NOT NULL);
CREATE TABLE policy_data (address text PRIMARY KEY, owner text NOT NULL, wasm_cid text NOT NULL, secrets_schema json,
  secrets_schema_cid text NOT NULL, expire_after bigint NOT NULL, metadata_cid text NOT NULL, published_block bigint NOT NULL);
CREATE TABLE policies (address text PRIMARY KEY, owner text NOT NULL, source text NOT NULL, policy_cid text NOT NULL,
  policy_code_hash text NOT NULL, entrypoint text NOT NULL, params_schema json, schema_cid text NOT NULL, policy_data jsonb NOT NULL,
  metadata_cid text NOT NULL, published_block bigint NOT NULL);
CREATE TABLE policy_clients (address text PRIMARY KEY, owner text NOT NULL, registered_block bigint NOT NULL);
CREATE TABLE policy_ids (client text NOT NULL, seq integer NOT NULL, policy_id text NOT NULL, policy_address text NOT NULL,
  policy_params text NOT NULL, expire_after bigint NOT NULL, block bigint NOT NULL, PRIMARY KEY (client, seq));
CREATE TABLE tasks (task_id text PRIMARY KEY, policy_client text NOT NULL, status text NOT NULL, task json NOT NULL,
  result json, expiration bigint, created_at bigint NOT NULL);
CREATE TABLE webhooks (key_id text PRIMARY KEY, url text NOT NULL, secret text, timeout_seconds integer NOT NULL,
  max_retries integer NOT NULL, failure_types jsonb);
CREATE TABLE data_ref_domains (data_ref_id text PRIMARY KEY, domain text NOT NULL);
CREATE TABLE secrets (client text NOT NULL, policy_data text NOT NULL, envelope text NOT NULL, PRIMARY KEY (client, policy_data));
`,
};
