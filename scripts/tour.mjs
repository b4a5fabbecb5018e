// The engine tour, the first part of `npm start` (then `newton devnet`). For every example policy
// it compiles the policy, evaluates its sample intent(s) through the TS API and runs its
// *_test.rego suite; then the first allowed intent goes through BLS signing, quorum aggregation
// and validation, and a private task is evaluated with sealed identity and confidential data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Policy, parseIntent, runPolicyTests } from '../bindings/dist/index.js';
import { attestationTour } from './tour-attestation.mjs';
import { privacyTour } from './tour-privacy.mjs';

const root = new URL('..', import.meta.url).pathname;
const examples = join(root, 'examples');
const read = (dir, file) => readFileSync(join(dir, file), 'utf8');
const json = (dir, file) => (file === undefined ? undefined : JSON.parse(read(dir, file)));

let allowed; // the first allowed intent, attested at the end
for (const name of readdirSync(examples).sort()) {
  const dir = join(examples, name);
  if (!existsSync(join(dir, 'example.json'))) continue;
  const ex = json(dir, 'example.json');
  const modules = readdirSync(dir)
    .filter((f) => f.endsWith('.rego'))
    .map((f) => ({ path: `examples/${name}/${f}`, source: read(dir, f) }));
  const policies = modules.filter((m) => !m.path.endsWith('_test.rego'));
  const policy = await Policy.compile(policies, ex.entrypoint, {
    paramsSchema: ex.params_schema && read(dir, ex.params_schema),
  });
  console.log(`\n== ${name}: ${ex.description}`);
  console.log(`   ${policy.entrypoint}  policyCodeHash ${policy.modules[0].policyCodeHash}`);
  for (const [label, intentFile] of Object.entries(ex.intents)) {
    const intent = json(dir, intentFile);
    const fn = parseIntent(intent).decoded_function_signature ?? 'plain transfer';
    const decision = await policy.evaluate({
      intent,
      params: json(dir, ex.params),
      wasm: json(dir, ex.wasm),
      identity: json(dir, ex.identity),
      confidential: json(dir, ex.confidential),
      reference_date: ex.reference_date,
    });
    const verdict = decision.allow ? 'ALLOW' : `DENY (${decision.reason})`;
    if (decision.allow && !allowed) {
      allowed = { intent, policy: policies[0].source, evaluationResult: decision.evaluation_result };
    }
    console.log(`   ${label.padEnd(10)} ${fn} → ${verdict}`);
  }
  const report = await runPolicyTests(modules);
  console.log(`   tests: ${report.passed} passed, ${report.failed} failed, ${report.errored} errors`);
}
if (allowed) await attestationTour(allowed);
await privacyTour();
