#!/usr/bin/env node
// `newton`: the command-line face of the engine. Errors print `newton: CODE: message` and exit 1.
import { NewtonError } from '../errors.js';
import { attestationCommand } from './attestation.js';
import { confidentialCommand } from './confidential.js';
import { identityCommand } from './identity.js';
import { keysCommand } from './keys.js';
import { policyCommand } from './policy.js';
import { policyDataCommand } from './policy-data.js';
import { privacyCommand } from './privacy.js';

const HELP = `Usage: newton <area> <command> [options]

Areas:
  policy   eval | test | check | hash   (newton policy --help)
  policy-data run | validate | build    (newton policy-data --help)
  keys     generate | show              (newton keys --help)
  attestation verify                    (newton attestation --help)
  privacy  keygen | public-key | seal | open                      (newton privacy --help)
  identity upload | link | unlink | links                         (newton identity --help)
  confidential publish | grant | accept | revoke | set-owner | grants | versions

Run \`newton <area> --help\` for details.`;

async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [area, ...rest] = argv;
  switch (area) {
    case 'policy':
      return policyCommand(rest, out);
    case 'policy-data':
      return policyDataCommand(rest, out);
    case 'keys':
      return keysCommand(rest, out);
    case 'attestation':
      return attestationCommand(rest, out);
    case 'privacy':
      return privacyCommand(rest, out);
    case 'identity':
      return identityCommand(rest, out);
    case 'confidential':
      return confidentialCommand(rest, out);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(HELP);
      return 0;
    default:
      throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `unknown area "${area}"\n\n${HELP}` });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err instanceof NewtonError ? err : null;
    process.stderr.write(`newton: ${e ? `${e.code}: ${e.message}` : (err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
