// `newton policy-data build`: a JavaScript oracle → a PolicyData component (componentize-js).
import { basename } from 'node:path';
import { buildPolicyData } from '../policy-data-build.js';
import { parseArgs, required, str, usage } from './args.js';

type Out = (line: string) => void;

export const POLICY_DATA_BUILD_HELP = `Usage: newton policy-data build SRC.js --out FILE.wasm [--wit 0.2.0|0.1.0|FILE] [--cache-dir DIR]

Builds SRC.js (an ES module exporting \`run(input)\`, sync or async) into a WebAssembly component
for the newton:provider world with componentize-js, all WASI features disabled, so it imports only
newton:provider/*. --wit picks the world: 0.2.0 (default: http, secrets, tlsn), 0.1.0 (legacy,
http only) or a .wit file used as is (world \`newton-provider\`). --cache-dir reuses a component
built before from the same sources, WIT and componentize-js version (a build takes seconds).
Prints {"out", "bytes", "sha256", "imports", "wit", "componentize_js", "cached"}.`;

export async function policyDataBuildCommand(argv: string[], out: Out): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv[0] === 'help') {
    out(POLICY_DATA_BUILD_HELP);
    return 0;
  }
  const args = parseArgs(argv, { out: {}, wit: {}, 'cache-dir': {} });
  const [source, ...extra] = args.positionals;
  if (source === undefined) throw usage(`a source file is required\n\n${POLICY_DATA_BUILD_HELP}`);
  if (extra.length > 0) throw usage(`one source file expected, got also ${extra.join(' ')}`);
  const outFile = required(args, 'out');
  const built = await buildPolicyData({ source, out: outFile, wit: str(args, 'wit'), cacheDir: str(args, 'cache-dir') });
  process.stderr.write(`newton: built ${basename(outFile)} from ${source}${built.cached ? ' (cached)' : ''}\n`);
  out(
    JSON.stringify({
      out: outFile,
      bytes: built.wasm.byteLength,
      sha256: built.sha256,
      imports: built.imports,
      wit: built.wit,
      componentize_js: built.componentizeVersion,
      cached: built.cached,
    }),
  );
  return 0;
}
