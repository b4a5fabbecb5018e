// Checking a client's decrypted secrets against a PolicyData's secrets schema without ever echoing
// a value: violations report JSON pointers only. The engine's JSON Schema checker is reached
// through a compiled params schema (the engine exports no secrets validator to TypeScript).
import { NewtonError, Policy, type Hex } from 'newton-engine';

const CHECKER_REGO = 'package secrets_check\nallow := true\n';
const checkers = new Map<Hex, Promise<Policy>>();

/** Throws NEWTON_ERR_POLICY_DATA_SECRETS_SCHEMA_VIOLATION (paths only) unless `secrets` satisfies `schema`. */
export async function checkSecrets(policyData: Hex, schema: Record<string, unknown>, secrets: Record<string, unknown>): Promise<void> {
  let checker = checkers.get(policyData);
  if (!checker) {
    checker = Policy.compile([{ path: 'secrets.rego', source: CHECKER_REGO }], 'secrets_check.allow', { paramsSchema: schema });
    checkers.set(policyData, checker);
    checker.catch(() => checkers.delete(policyData));
  }
  try {
    await (await checker).evaluate({ input: {}, params: secrets });
  } catch (err) {
    if (!(err instanceof NewtonError) || err.code !== 'NEWTON_ERR_PARAMS_SCHEMA_VIOLATION') throw err;
    const violations = ((err.details?.violations ?? []) as { path?: string }[]).map((v) => ({ path: v.path ?? '' }));
    const paths = violations.map((v) => v.path || '/').join(', ');
    throw new NewtonError({
      code: 'NEWTON_ERR_POLICY_DATA_SECRETS_SCHEMA_VIOLATION',
      message: `Secrets upload validation failed: secrets violate the secrets schema at ${paths}`,
      details: { violations },
    });
  }
}
