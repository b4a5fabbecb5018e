// Migration 4: the decision log (server/src/log): one row per logged task outcome, at dense
// indices from 0 that appenders assign under an advisory lock; the entry is its canonical JSON.
import type { Migration } from './index.js';

export const decisionLog: Migration = {
  version: 4,
  name: 'decision log',
  sql: `
CREATE TABLE decision_log (idx bigint PRIMARY KEY, task_id text NOT NULL UNIQUE, entry text NOT NULL, leaf_hash text NOT NULL);
`,
};
