// Copies the PolicyData WIT worlds (crates/newton-policy-data/wit, the Rust host's source of
// truth) to bindings/wit, where buildPolicyData reads them, so the published package carries
// them. Run by the checkout's install hook, `npm run build` and the package's `prepack`.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function copyWit() {
  const from = fileURLToPath(new URL('../../crates/newton-policy-data/wit/', import.meta.url));
  const to = fileURLToPath(new URL('../wit/', import.meta.url));
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}

if (import.meta.url === `file://${process.argv[1]}`) copyWit();
