// Migration 3: request counters per API key (or IP) and fixed window, so gateways sharing the
// database enforce one rate limit between them.
import type { Migration } from './index.js';

export const rateLimits: Migration = {
  version: 3,
  name: 'rate limits',
  sql: `
CREATE TABLE rate_limits (key text PRIMARY KEY, window_start bigint NOT NULL, count integer NOT NULL);
`,
};
