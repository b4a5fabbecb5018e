#!/usr/bin/env node
// The `newton` bin. A committed shim, so npm can link it before the TypeScript is built.
import '../dist/cli/main.js';
