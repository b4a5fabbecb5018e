// Prints docs/errors.md from the native error-code table (the Rust source of truth).
// `node scripts/error-table.mjs > docs/errors.md`; a test keeps the file in sync.
import { errorCodes } from '../bindings/dist/index.js';

export function errorTable() {
  const rows = errorCodes().map((e) => `| \`${e.code}\` | ${e.rpcCode} | ${e.description} |`);
  return [
    '# Error codes',
    '',
    'Every failure carries one of these stable codes, unchanged from Rust through napi and TypeScript',
    '(`NewtonError.code`) to the CLI (`newton: CODE: message`) and JSON-RPC (`rpc`). A deny is never an',
    'error: it is a `Decision` with `allow: false`, whose `error` field holds one of these codes when',
    'evaluation failed.',
    '',
    '| code | rpc | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(errorTable());
