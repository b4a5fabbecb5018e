// `newton keys generate|show`: BLS operator keys in EIP-2335 keystores. The password comes from
// NEWTON_KEYSTORE_PASSWORD or --password-file, never from a flag value (argv is world-readable).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, generateKeystore, keystoreInfo, type KeyInfo } from '../bls.js';
import { NewtonError } from '../errors.js';
import { parseArgs, required, str, usage, type Parsed } from './args.js';
import { readText } from './files.js';

type Out = (line: string) => void;

export const KEYS_HELP = `Usage: newton keys <command>

  generate --out DIR [--kdf scrypt|pbkdf2] [--password-file FILE]
           writes DIR/keystore-<pubkey prefix>.json (EIP-2335, mode 0600)
  show     --keystore FILE [--password-file FILE]

Both print {"public_key": "0x…", "proof_of_possession": "0x…"}; the secret key never leaves the
keystore. The password is the first line of --password-file, else $NEWTON_KEYSTORE_PASSWORD.`;

export async function keysCommand(argv: string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'generate':
      return generateCommand(rest, out);
    case 'show':
      return showCommand(rest, out);
    case undefined:
    case 'help':
    case '--help':
      out(KEYS_HELP);
      return 0;
    default:
      throw usage(`unknown command "keys ${command}"\n\n${KEYS_HELP}`);
  }
}

async function generateCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { out: {}, kdf: {}, 'password-file': {} });
  const dir = required(args, 'out');
  const kdf = str(args, 'kdf') ?? 'scrypt';
  if (kdf !== 'scrypt' && kdf !== 'pbkdf2') throw usage('--kdf must be scrypt or pbkdf2');
  const generated = await generateKeystore(password(args), kdf);
  const file = join(dir, `keystore-${bytesToHex(generated.publicKey).slice(2, 10)}.json`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${generated.keystoreJson}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot write ${file}: ${reason}` });
  }
  process.stderr.write(`newton: wrote ${file}\n`);
  out(keyJson(generated));
  return 0;
}

async function showCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, { keystore: {}, 'password-file': {} });
  const keystore = readText(required(args, 'keystore'));
  out(keyJson(await keystoreInfo(keystore, password(args))));
  return 0;
}

/** The first line of --password-file, else $NEWTON_KEYSTORE_PASSWORD; empty counts as missing. */
function password(args: Parsed): string {
  const file = str(args, 'password-file');
  const value = file === undefined ? process.env.NEWTON_KEYSTORE_PASSWORD : readText(file).split(/\r?\n/, 1)[0];
  if (!value) {
    throw new NewtonError({
      code: 'NEWTON_ERR_KEYSTORE_PASSWORD',
      message: file === undefined ? 'no password: set NEWTON_KEYSTORE_PASSWORD or pass --password-file FILE' : `${file} holds no password on its first line`,
    });
  }
  return value;
}

const keyJson = (key: KeyInfo) =>
  JSON.stringify({ public_key: bytesToHex(key.publicKey), proof_of_possession: bytesToHex(key.proofOfPossession) });
