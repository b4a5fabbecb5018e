#!/usr/bin/env node
// The `newton` bin: wires the CLI app (dist/cli/app.js) to this process. A committed shim, so npm
// can link it before the TypeScript is built.
import { run } from '../dist/cli/app.js';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
