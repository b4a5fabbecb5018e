// The PostgreSQL store's schema as numbered migrations, and the runner that applies them when a
// store opens: one transaction under a transaction-scoped advisory lock (so gateways opening the
// same database at once take turns and the second finds the work done), each migration recorded
// in schema_migrations. A database migrated by a newer gateway is refused, as SqliteStore refuses
// a newer user_version. Migrations are append-only: never edit one that has shipped.
import type { ClientBase } from 'pg';
import { gatewaySchema } from './0001-gateway-schema.js';
import { spentAttestations } from './0002-spent-attestations.js';
import { rateLimits } from './0003-rate-limits.js';
import { decisionLog } from './0004-decision-log.js';

export interface Migration {
  /** 1, 2, 3 … in order, never reused. */
  version: number;
  name: string;
  /** One or more statements, run in the migration transaction. */
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [gatewaySchema, spentAttestations, rateLimits, decisionLog];

/** The advisory lock key the runner holds ("newton" in ASCII); advisory locks are per database. */
const MIGRATION_LOCK = 0x6e6577746f6e;

/** Brings the connected database to the newest schema; `describe` names it in errors. */
export async function migrate(client: ClientBase, describe: string, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  const latest = migrations.at(-1)?.version ?? 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...applied);
    if (newest > latest) throw new Error(`${describe} was written by a newer gateway (schema ${newest}, this one reads ${latest})`);
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
