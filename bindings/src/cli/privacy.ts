// `newton privacy keygen|public-key|seal|open`: recipient keys and HPKE envelopes on the command line.
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { NewtonError } from '../errors.js';
import { generatePrivacyKey, openEnvelope, privacyPublicKey, sealEnvelope } from '../privacy.js';
import { readBytes, readJson, readText } from './files.js';
import { formatOption, type Cli, type Format } from './output.js';

const ABOUT = `Identity envelopes are bound to the identity owner's address, confidential ones to the
provider's, ephemeral ones (wasm_args._newton.privacy) to the task's policy client.`;

export function addPrivacy(program: Command, cli: Cli): void {
  const area = program
    .command('privacy')
    .description('recipient keys and HPKE envelopes: keygen | public-key | seal | open')
    .addHelpText('after', `\n${ABOUT}`);
  area
    .command('keygen')
    .description('write a new X25519 key file (mode 0600, never overwritten) and print its public key')
    .requiredOption('--out <FILE>', 'the key file')
    .addOption(formatOption('json'))
    .action((opts: { out: string; format: Format }) => {
      const key = generatePrivacyKey();
      const body = { type: 'x25519', suite: 'HPKE-Base-X25519-HKDF-SHA256-ChaCha20Poly1305', public_key: key.publicKey, secret_key: key.secretKey };
      try {
        writeFileSync(opts.out, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? String(err);
        throw new NewtonError({ code: 'NEWTON_ERR_IO', message: `cannot write ${opts.out}: ${reason}` });
      }
      cli.data(opts.format, { public_key: key.publicKey });
    });
  area
    .command('public-key')
    .description('print the public key of a key file')
    .requiredOption('--key <FILE>', 'the key file')
    .addOption(formatOption('json'))
    .action((opts: { key: string; format: Format }) => cli.data(opts.format, { public_key: privacyPublicKey(readKeyFile(opts.key)) }));
  area
    .command('seal')
    .description('seal a file to a recipient key and print the SecureEnvelope (AAD binds policy client and chain)')
    .requiredOption('--recipient-pubkey <HEX>', "the recipient's X25519 public key")
    .requiredOption('--policy-client <ADDR>', 'the address the envelope is bound to')
    .requiredOption('--chain-id <N>', 'the chain the envelope is bound to')
    .requiredOption('--in <FILE>', 'the plaintext')
    .addOption(formatOption('json'))
    .action(async (opts: { recipientPubkey: string; policyClient: string; chainId: string; in: string; format: Format }) => {
      const envelope = await sealEnvelope(readBytes(opts.in), {
        recipientPublicKey: opts.recipientPubkey,
        policyClient: opts.policyClient,
        chainId: opts.chainId,
      });
      if (opts.format === 'json') cli.out(envelope);
      else cli.data('pretty', JSON.parse(envelope));
    });
  area
    .command('open')
    .description('open an envelope and write its plaintext to stdout')
    .requiredOption('--key <FILE>', 'the recipient key file')
    .requiredOption('--envelope <FILE>', 'the SecureEnvelope (JSON)')
    .addOption(
      new Option('--format <format>', 'json: the plaintext, which must be JSON; pretty: the plaintext as text (default: the bytes as sealed)').choices(['pretty', 'json']),
    )
    .action(async (opts: { key: string; envelope: string; format?: Format }) => {
      const plaintext = await openEnvelope(readText(opts.envelope).trim(), readKeyFile(opts.key));
      if (opts.format === undefined) {
        cli.io.stdout.write(plaintext);
        return;
      }
      const text = Buffer.from(plaintext).toString('utf8');
      if (opts.format === 'json') parseJson(text);
      cli.out(text.trimEnd());
    });
}

/** Checks that an opened plaintext is JSON. */
function parseJson(text: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_JSON', message: `the plaintext is not JSON: ${(err as Error).message}` });
  }
}

/** The secret key of a `privacy keygen` file. */
export function readKeyFile(path: string): string {
  const key = readJson<{ secret_key?: unknown }>(path);
  if (typeof key?.secret_key !== 'string') {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `${path} is not a privacy key file (no secret_key)` });
  }
  return key.secret_key;
}
