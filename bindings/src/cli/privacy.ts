// `newton privacy keygen|public-key|seal|open`: recipient keys and HPKE envelopes on the command line.
import { writeFileSync } from 'node:fs';
import { NewtonError } from '../errors.js';
import { generatePrivacyKey, openEnvelope, privacyPublicKey, sealEnvelope } from '../privacy.js';
import { parseArgs, required, usage } from './args.js';
import { readBytes, readJson, readText } from './files.js';

type Out = (line: string) => void;

export const PRIVACY_HELP = `Usage: newton privacy <command>

  keygen     --out FILE            writes a new X25519 key file (mode 0600, never overwritten);
                                   prints {"public_key": HEX}
  public-key --key FILE            prints {"public_key": HEX} of a key file
  seal       --recipient-pubkey HEX --policy-client ADDR --chain-id N --in FILE
                                   prints the SecureEnvelope JSON (AAD binds policy client + chain)
  open       --key FILE --envelope FILE
                                   writes the plaintext to stdout

Identity envelopes are bound to the identity owner's address, confidential ones to the
provider's, ephemeral ones (wasm_args._newton.privacy) to the task's policy client.`;

export async function privacyCommand(argv: string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'keygen':
      return keygen(rest, out);
    case 'public-key':
      out(JSON.stringify({ public_key: privacyPublicKey(readKeyFile(required(parseArgs(rest, { key: {} }), 'key'))) }));
      return 0;
    case 'seal':
      return seal(rest, out);
    case 'open':
      return open(rest);
    case undefined:
    case 'help':
    case '--help':
      out(PRIVACY_HELP);
      return 0;
    default:
      throw usage(`unknown command "privacy ${command}"\n\n${PRIVACY_HELP}`);
  }
}

function keygen(argv: string[], out: Out): number {
  const file = required(parseArgs(argv, { out: {} }), 'out');
  const key = generatePrivacyKey();
  const body = { type: 'x25519', suite: 'HPKE-Base-X25519-HKDF-SHA256-ChaCha20Poly1305', public_key: key.publicKey, secret_key: key.secretKey };
  try {
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot write ${file}: ${reason}` });
  }
  out(JSON.stringify({ public_key: key.publicKey }));
  return 0;
}

async function seal(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { 'recipient-pubkey': {}, 'policy-client': {}, 'chain-id': {}, in: {} });
  const envelope = await sealEnvelope(readBytes(required(args, 'in')), {
    recipientPublicKey: required(args, 'recipient-pubkey'),
    policyClient: required(args, 'policy-client'),
    chainId: required(args, 'chain-id'),
  });
  out(envelope);
  return 0;
}

async function open(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { key: {}, envelope: {} });
  const plaintext = await openEnvelope(readText(required(args, 'envelope')).trim(), readKeyFile(required(args, 'key')));
  process.stdout.write(plaintext);
  return 0;
}

/** The secret key of a `privacy keygen` file. */
export function readKeyFile(path: string): string {
  const key = readJson<{ secret_key?: unknown }>(path);
  if (typeof key?.secret_key !== 'string') {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `${path} is not a privacy key file (no secret_key)` });
  }
  return key.secret_key;
}
