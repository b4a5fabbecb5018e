// Migration 4: the decision log (server/src/log): one row per logged task outcome at dense indices
// from 0, the entry as its canonical JSON. decision_log_append assigns the indices under an
// advisory lock ("newlog" in ASCII) held to the end of the caller's transaction, so gateways
// sharing the database append to one log, and a task's result and its entry take one statement.
import type { Migration } from './index.js';

export const decisionLog: Migration = {
  version: 4,
  name: 'decision log',
  sql: `
CREATE TABLE decision_log (idx bigint PRIMARY KEY, task_id text NOT NULL UNIQUE, entry text NOT NULL, leaf_hash text NOT NULL);
CREATE FUNCTION decision_log_append(task_ids text[], entries text[], leaf_hashes text[])
  RETURNS TABLE (log_index bigint, log_task_id text) LANGUAGE plpgsql AS $$
DECLARE
  next bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${0x6e65776c6f67});
  SELECT COALESCE(MAX(d.idx) + 1, 0) INTO next FROM decision_log d;
  FOR i IN 1 .. COALESCE(array_length(task_ids, 1), 0) LOOP
    INSERT INTO decision_log (idx, task_id, entry, leaf_hash) VALUES (next, task_ids[i], entries[i], leaf_hashes[i])
      ON CONFLICT DO NOTHING; -- a task already logged keeps its entry
    IF FOUND THEN
      log_index := next;
      log_task_id := task_ids[i];
      RETURN NEXT;
      next := next + 1;
    END IF;
  END LOOP;
END $$;
`,
};
