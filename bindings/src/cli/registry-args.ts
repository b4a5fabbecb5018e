// Shared options of `newton identity` and `newton confidential`: the local privacy store, the
// signer's key file, and one signed authorization per write.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { NewtonError } from '../errors.js';
import { envelopeDataRefId, PrivacyStore } from '../privacy.js';
import { domainId, type Authorization, type PrivacyMessage, type PrivacyMessageType } from '../privacy-authorization.js';
import { positiveInt } from './exit.js';
import { readText } from './files.js';
import { formatOption, type Format } from './output.js';

export interface StoreFlags {
  store: string;
  chainId: string;
  deadline: number;
  format: Format;
}

/** Adds the store options to a registry command, and `--signer-key` when it writes. */
export function withStore(command: Command, signs: boolean): Command {
  command
    .option('--store <FILE>', 'the local privacy store; it holds ciphertext only', '.newton/privacy.db')
    .requiredOption('--chain-id <N>', 'the chain the store serves (envelopes must be bound to it)');
  if (signs) {
    command
      .requiredOption('--signer-key <FILE>', '0x-hex secp256k1 private key (first line) of the party that signs the change')
      .option('--deadline <SECONDS>', 'how long the signature stays valid', positiveInt, 3600);
  }
  return command.addOption(formatOption('json'));
}

export async function openStore(flags: StoreFlags): Promise<PrivacyStore> {
  mkdirSync(dirname(flags.store), { recursive: true, mode: 0o700 });
  return PrivacyStore.open(flags.store, flags.chainId);
}

/** The account of a secp256k1 key file. */
export function signer(path: string): PrivateKeyAccount {
  const key = readText(path).split(/\r?\n/, 1)[0]?.trim() ?? '';
  try {
    return privateKeyToAccount((key.startsWith('0x') ? key : `0x${key}`) as Hex);
  } catch {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `${path} does not hold a secp256k1 private key` });
  }
}

/** Signs `message` as `account` with its next nonce in `store`, valid for `--deadline` seconds. */
export function authorize(
  store: PrivacyStore,
  account: PrivateKeyAccount,
  type: PrivacyMessageType,
  message: PrivacyMessage,
  flags: StoreFlags,
): Promise<Authorization> {
  return store.authorize(account, type, message, { ttlSeconds: flags.deadline });
}

export interface EnvelopeFlags extends StoreFlags {
  signerKey: string;
  domain: string;
  envelope: string;
}

/** An envelope upload signed by the key's account: `message` gets its address, the domain id and the data ref id. */
export async function signedEnvelope(
  flags: EnvelopeFlags,
  type: PrivacyMessageType,
  message: (address: Hex, domain: Hex, dataRefId: Hex) => PrivacyMessage,
): Promise<{ store: PrivacyStore; address: Hex; envelope: string; authorization: Authorization }> {
  const store = await openStore(flags);
  const account = signer(flags.signerKey);
  const envelope = readText(flags.envelope).trim();
  const signed = message(account.address, domainId(flags.domain), envelopeDataRefId(envelope));
  return { store, address: account.address, envelope, authorization: await authorize(store, account, type, signed, flags) };
}
