// Shared options of `newton identity` and `newton confidential`: the local privacy store, the
// signer's key file, and one signed authorization per write.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { NewtonError } from '../errors.js';
import { PrivacyStore } from '../privacy.js';
import type { Authorization, PrivacyMessage, PrivacyMessageType } from '../privacy-authorization.js';
import { required, str, type FlagSpec, type Parsed } from './args.js';
import { readText } from './files.js';

export const STORE_FLAGS: Record<string, FlagSpec> = { store: {}, 'chain-id': {}, 'signer-key': {}, deadline: {} };

export const STORE_HELP = `Common options:
  --store FILE        the local privacy store (default .newton/privacy.db); it holds ciphertext only
  --chain-id N        the chain the store serves (envelopes must be bound to it)
  --signer-key FILE   0x-hex secp256k1 private key (first line) of the party that signs the change
  --deadline SECONDS  how long the signature stays valid (default 3600)`;

export async function openStore(args: Parsed): Promise<PrivacyStore> {
  const path = str(args, 'store') ?? '.newton/privacy.db';
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return PrivacyStore.open(path, required(args, 'chain-id'));
}

/** The account of a key file (`--signer-key` by default). */
export function signer(args: Parsed, flag = 'signer-key'): PrivateKeyAccount {
  const path = required(args, flag);
  const key = readText(path).split(/\r?\n/, 1)[0]?.trim() ?? '';
  try {
    return privateKeyToAccount((key.startsWith('0x') ? key : `0x${key}`) as Hex);
  } catch {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: `${path} does not hold a secp256k1 private key` });
  }
}

/** Signs `message` as `account` with its next nonce in `store` and the `--deadline` TTL. */
export function authorize(
  store: PrivacyStore,
  account: PrivateKeyAccount,
  type: PrivacyMessageType,
  message: PrivacyMessage,
  args: Parsed,
): Promise<Authorization> {
  const ttlSeconds = Number(str(args, 'deadline') ?? 3600);
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new NewtonError({ code: 'NEWTON_ERR_INVALID_ARGUMENT', message: '--deadline must be a positive number of seconds' });
  }
  return store.authorize(account, type, message, { ttlSeconds });
}
