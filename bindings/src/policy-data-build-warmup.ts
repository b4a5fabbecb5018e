// The build-time warm-up of componentize-js's export glue. componentize-js runs its generated
// bindings (`export_run` and the import wrappers) in StarlingMonkey's initializer realm, which
// gets no standard classes up front: the first call into a fresh instance resolves Uint8Array,
// Promise, async functions, … there, about 80% of that call's ≈1.06 M wasm instructions. The
// wizer snapshot only keeps that work if it happened at build time, and nothing calls the glue
// then. So the oracle is built through a wrapper entry that re-exports it and calls `export_run`
// once, at top level, with a stub `run` (the oracle's own code never runs at build time): every
// fresh instance then starts from a realm that already has them (≈230 k instructions per run).
//
// The initializer realm is reached through an imported binding: its `.constructor` is that
// realm's Function, whose code sees the glue's top-level names. If a componentize-js release
// renames them, the warm-up is skipped (the build is as before) and the fuel bound in
// test/policy-data-build.test.ts fails.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Bumped when the wrapper changes, so cached components are rebuilt. */
export const GLUE_WARMUP_VERSION = 'glue-warmup-1';

/**
 * The import that reaches the initializer realm, for a WIT world that has
 * `newton:provider/http@X` with `fetch` (both built-in worlds do); undefined for any other world.
 */
export function glueWarmupImport(witWorld: string): string | undefined {
  const version = /^\s*package\s+newton:provider@([0-9A-Za-z.+-]+)\s*;/m.exec(witWorld)?.[1];
  const http = /interface\s+http\s*\{(?:(?!\binterface\b)[\s\S])*?\bfetch\s*:\s*func/.test(witWorld);
  return version && http ? `newton:provider/http@${version}` : undefined;
}

/**
 * Writes the wrapper entry beside `sourcePath` (relative imports must resolve from the same
 * directory, the only one componentize-js maps) and returns its path; the caller removes it.
 */
export function writeWarmupEntry(sourcePath: string, httpImport: string): string {
  const entry = join(dirname(sourcePath), `.newton-build-${process.pid}-${randomBytes(4).toString('hex')}.js`);
  const oracle = `./${basename(sourcePath)}`;
  writeFileSync(entry, wrapperSource(JSON.stringify(oracle), JSON.stringify(httpImport)), { flag: 'wx' });
  return entry;
}

// In the glue realm: a 2-byte argument `{}` from the guest allocator, `export_run` with `run`
// stubbed, then `run` unset again (componentize-js binds the oracle's export after top-level
// code) and the buffers freed once the call's promise settles, before the snapshot is taken.
const GLUE_CALL = `
  const arg = $realloc(0, 0, 1, 2);
  new Uint8Array($memory.buffer, arg, 2).set([123, 125]);
  const ret = $realloc(0, 0, 4, 12);
  run = (input) => input;
  const settled = export_run(arg, 2, ret);
  run = undefined;
  Promise.resolve(settled).then(() => {
    const view = new DataView($memory.buffer);
    const len = view.getUint32(ret + 8, true);
    if (len !== 0) $dealloc(view.getUint32(ret + 4, true), len, 1);
    $dealloc(ret, 12, 4);
  });
`;

function wrapperSource(oracle: string, httpImport: string): string {
  return [
    `export * from ${oracle};`,
    `import { fetch as glueRealmFunction } from ${httpImport};`,
    `try { new glueRealmFunction.constructor(${JSON.stringify(GLUE_CALL)})(); } catch {}`,
    '',
  ].join('\n');
}
