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
    'Builtin errors fail closed. A builtin that fails (e.g. `count(null)` when an oracle returns `null`',
    'where a list was expected) is an evaluation error: the decision denies with `NEWTON_ERR_POLICY_EVAL`',
    'and the builtin\'s message and location in `reason`. This is Newton\'s engine\'s default; under OPA\'s',
    'non-strict semantics the expression would merely be undefined, and `allow if not count(data.wasm.t) > 3`',
    'would allow. `strictBuiltinErrors: false` (TS) / `--non-strict` (CLI) opt out, per published policy.',
    'Breached limits always end the evaluation, in either mode.',
    '',
    '| code | rpc | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(errorTable());
