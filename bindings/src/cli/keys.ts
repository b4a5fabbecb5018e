// `newton keys generate|show`: BLS operator keys in EIP-2335 keystores. The password comes from
// NEWTON_KEYSTORE_PASSWORD or --password-file, never from a flag value (argv is world-readable).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { keccak256 } from 'viem';
import { bytesToHex, generateKeystore, keystoreInfo, type KeyInfo } from '../bls.js';
import { NewtonError } from '../errors.js';
import { readText } from './files.js';
import { formatOption, type Cli, type Format } from './output.js';

const ABOUT = `Both print {"public_key": "0x…", "proof_of_possession": "0x…", "operator_id": "0x…"} (the id is
keccak256 of the public key, what a gateway admits); the secret key never leaves the keystore. The password is the first line of --password-file, else $NEWTON_KEYSTORE_PASSWORD.`;

export function addKeys(program: Command, cli: Cli): void {
  const area = program.command('keys').description('BLS operator keys in EIP-2335 keystores: generate | show').addHelpText('after', `\n${ABOUT}`);
  area
    .command('generate')
    .description('write DIR/keystore-<public key prefix>.json (EIP-2335, mode 0600)')
    .requiredOption('--out <DIR>', 'the directory to write the keystore into')
    .addOption(new Option('--kdf <KDF>', 'key derivation function').choices(['scrypt', 'pbkdf2']).default('scrypt'))
    .option('--password-file <FILE>', 'the password is its first line (default $NEWTON_KEYSTORE_PASSWORD)')
    .addOption(formatOption('json'))
    .action(async (opts: { out: string; kdf: 'scrypt' | 'pbkdf2'; passwordFile?: string; format: Format }) => {
      const generated = await generateKeystore(password(opts.passwordFile), opts.kdf);
      const file = join(opts.out, `keystore-${bytesToHex(generated.publicKey).slice(2, 10)}.json`);
      try {
        mkdirSync(opts.out, { recursive: true, mode: 0o700 });
        writeFileSync(file, `${generated.keystoreJson}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? String(err);
        throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot write ${file}: ${reason}` });
      }
      cli.note(`wrote ${file}`);
      cli.data(opts.format, keyJson(generated));
    });
  area
    .command('show')
    .description("print a keystore's public key and proof of possession")
    .requiredOption('--keystore <FILE>', 'the EIP-2335 keystore')
    .option('--password-file <FILE>', 'the password is its first line (default $NEWTON_KEYSTORE_PASSWORD)')
    .addOption(formatOption('json'))
    .action(async (opts: { keystore: string; passwordFile?: string; format: Format }) => {
      const keystore = readText(opts.keystore);
      cli.data(opts.format, keyJson(await keystoreInfo(keystore, password(opts.passwordFile))));
    });
}

/** The first line of --password-file, else $NEWTON_KEYSTORE_PASSWORD; empty counts as missing. */
export function password(file: string | undefined): string {
  const value = file === undefined ? process.env.NEWTON_KEYSTORE_PASSWORD : readText(file).split(/\r?\n/, 1)[0];
  if (!value) {
    throw new NewtonError({
      code: 'NEWTON_ERR_KEYSTORE_PASSWORD',
      message: file === undefined ? 'no password: set NEWTON_KEYSTORE_PASSWORD or pass --password-file FILE' : `${file} holds no password on its first line`,
    });
  }
  return value;
}

const keyJson = (key: KeyInfo) => ({
  public_key: bytesToHex(key.publicKey),
  proof_of_possession: bytesToHex(key.proofOfPossession),
  operator_id: keccak256(key.publicKey),
});
