// `newton policy-data build`: a JavaScript oracle → a PolicyData component (componentize-js), under
// a spinner on a terminal (spinner.ts).
import { basename } from 'node:path';
import type { Command } from 'commander';
import { buildPolicyData } from '../policy-data-build.js';
import { formatOption, type Cli, type Format } from './output.js';
import { interactive, withSpinner } from './spinner.js';

const ABOUT = `Builds SRC.js (an ES module exporting \`run(input)\`, sync or async) into a WebAssembly component
for the newton:provider world with componentize-js, all WASI features disabled, so it imports only
newton:provider/*. --wit picks the world: 0.2.0 (default: http, secrets, tlsn), 0.1.0 (legacy,
http only) or a .wit file used as is (world \`newton-provider\`). --cache-dir reuses a component
built before from the same sources, WIT and componentize-js version (a build takes seconds).
Prints {"out", "bytes", "sha256", "imports", "wit", "componentize_js", "cached"}.`;

export function addPolicyDataBuild(area: Command, cli: Cli): void {
  area
    .command('build')
    .usage('SRC.js --out FILE.wasm [options]')
    .description('build a component from a JavaScript oracle')
    .addHelpText('after', `\n${ABOUT}`)
    .argument('<source>', 'the oracle (SRC.js)')
    .requiredOption('--out <FILE.wasm>', 'where to write the component')
    .option('--wit <VERSION|FILE>', 'the world: 0.2.0, 0.1.0 or a .wit file', '0.2.0')
    .option('--cache-dir <DIR>', 'reuse components built before from the same inputs')
    .addOption(formatOption('json'))
    .action(async (source: string, opts: { out: string; wit: string; cacheDir?: string; format: Format }) => {
      const note = (cached: boolean) => `built ${basename(opts.out)} from ${source}${cached ? ' (cached)' : ''}`;
      const built = await withSpinner(
        cli.io.stderr,
        `building ${basename(opts.out)} from ${source} with componentize-js`,
        () => buildPolicyData({ source, out: opts.out, wit: opts.wit, cacheDir: opts.cacheDir }),
        (b) => note(b.cached),
      );
      if (!interactive(cli.io.stderr)) cli.note(note(built.cached)); // on a terminal the spinner's last line says it
      cli.data(opts.format, {
        out: opts.out,
        bytes: built.wasm.byteLength,
        sha256: built.sha256,
        imports: built.imports,
        wit: built.wit,
        componentize_js: built.componentizeVersion,
        cached: built.cached,
      });
    });
}
