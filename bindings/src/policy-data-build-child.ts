// Runs componentize-js in a child process (forked by policy-data-build.ts): its WIT splicer runs
// on the calling thread and it waits on wizer with spawnSync, inheriting stdout, so in-process it
// would block the caller's event loop for seconds and could write to the caller's stdout.

export interface BuildJob {
  sourcePath: string;
  witWorld: string;
  disableFeatures: string[];
}

export type BuildReply = { ok: true; component: Uint8Array; imports: string[] } | { ok: false; message: string };

process.once('message', (job: BuildJob) => {
  build(job).then(
    (reply) => process.send?.(reply, () => process.disconnect()),
    (err: unknown) => process.send?.({ ok: false, message: err instanceof Error ? err.message : String(err) }, () => process.disconnect()),
  );
});

async function build(job: BuildJob): Promise<BuildReply> {
  const { componentize } = await import('@bytecodealliance/componentize-js');
  const options = {
    sourcePath: job.sourcePath,
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
