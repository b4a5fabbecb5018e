// `newton policy-data build`: a JavaScript, Python or Rust oracle → a PolicyData component, under
// a spinner on a terminal (spinner.ts).
import { basename } from 'node:path';
import type { Command } from 'commander';
import { buildPolicyData } from '../policy-data-build.js';
import { formatOption, type Cli, type Format } from './output.js';
import { interactive, withSpinner } from './spinner.js';

const ABOUT = `Builds an oracle into a WebAssembly component for the newton:provider world that imports only
newton:provider/*. SRC picks the toolchain:
  SRC.js / SRC.mjs  an ES module exporting \`run(input)\` (sync or async), through componentize-js
                    with all WASI features disabled
  SRC.py            a module defining \`run(input: str) -> str\`, through componentize-py with WASI
                    stubbed out; componentize-py comes from a project-local virtual environment
                    (the error names the command that creates it)
  CRATE_DIR         a wit-bindgen cdylib crate, built by cargo for wasm32-unknown-unknown and
                    wrapped into a component (its world is its own: no --wit)
--wit picks the world for JS and Python: 0.2.0 (default: http, secrets, tlsn), 0.1.0 (legacy,
http only) or a .wit file used as is (world \`newton-provider\`). --cache-dir reuses a component
built before from the same sources, WIT and toolchain version (a build takes seconds to minutes).
Prints {"out", "bytes", "sha256", "imports", "wit", "language", "toolchain", "cached"}.`;

export function addPolicyDataBuild(area: Command, cli: Cli): void {
  area
    .command('build')
    .usage('SRC.js|SRC.py|CRATE_DIR --out FILE.wasm [options]')
    .description('build a component from a JavaScript, Python or Rust oracle')
    .addHelpText('after', `\n${ABOUT}`)
    .argument('<source>', 'the oracle (SRC.js, SRC.py or a crate directory)')
    .requiredOption('--out <FILE.wasm>', 'where to write the component')
    .option('--wit <VERSION|FILE>', 'the world: 0.2.0 (default), 0.1.0 or a .wit file')
    .option('--cache-dir <DIR>', 'reuse components built before from the same inputs')
    .addOption(formatOption('json'))
    .action(async (source: string, opts: { out: string; wit?: string; cacheDir?: string; format: Format }) => {
      const note = (cached: boolean) => `built ${basename(opts.out)} from ${source}${cached ? ' (cached)' : ''}`;
      const built = await withSpinner(
        cli.io.stderr,
        `building ${basename(opts.out)} from ${source}`,
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
        language: built.language,
        toolchain: built.toolchain,
        cached: built.cached,
      });
    });
}
