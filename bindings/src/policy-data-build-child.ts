// Runs componentize-js in a child process (forked by policy-data-build.ts): its WIT splicer runs
// on the calling thread and it waits on wizer with spawnSync, inheriting stdout, so in-process it
// would block the caller's event loop for seconds and could write to the caller's stdout.
import { rmSync } from 'node:fs';
import { writeWarmupEntry } from './policy-data-build-warmup.js';

export interface BuildJob {
  sourcePath: string;
  witWorld: string;
  disableFeatures: string[];
  /** The import through which the export glue is warmed up at build time (see policy-data-build-warmup.ts). */
  warmupImport?: string;
}

export type BuildReply = { ok: true; component: Uint8Array; imports: string[] } | { ok: false; message: string };

process.once('message', (job: BuildJob) => {
  build(job).then(
    (reply) => process.send?.(reply, () => process.disconnect()),
    (err: unknown) => process.send?.({ ok: false, message: err instanceof Error ? err.message : String(err) }, () => process.disconnect()),
  );
});

async function build(job: BuildJob): Promise<BuildReply> {
  const entry = job.warmupImport && warmupEntry(job.sourcePath, job.warmupImport);
  if (!entry) return componentizeFrom(job.sourcePath, job);
  try {
    return await componentizeFrom(entry, job);
  } catch {
    // Whatever failed, the plain build reports it as the user's own source would.
    return componentizeFrom(job.sourcePath, job);
  } finally {
    rmSync(entry, { force: true });
  }
}

/** The wrapper entry, or undefined where the source's directory cannot take it (read-only). */
function warmupEntry(sourcePath: string, warmupImport: string): string | undefined {
  try {
    return writeWarmupEntry(sourcePath, warmupImport);
  } catch (err) {
    if (['EACCES', 'EPERM', 'EROFS'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

async function componentizeFrom(sourcePath: string, job: BuildJob): Promise<BuildReply> {
  const { componentize } = await import('@bytecodealliance/componentize-js');
  const options = {
    sourcePath,
    // The WIT as text, not a path: componentize-js reads witPath through WASI inside its splicer,
    // and preview2-shim ≥ 0.26 preopens no directory by default. (`witWorld` is missing from its types.)
    witWorld: job.witWorld,
    worldName: 'newton-provider',
    disableFeatures: job.disableFeatures,
  };
  const built = await componentize(options as unknown as { sourcePath: string });
  const imports = [...new Set((built.imports as unknown as [string, string][]).map(([iface]) => iface))].sort();
  return { ok: true, component: built.component, imports };
}
