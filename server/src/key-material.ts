// The gateway's own keys, created on first start in the data directory (mode 0600): the X25519
// keys clients seal privacy data and secrets to, and the secp256k1 key it signs registrations with.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { BlsSigner, generatePrivacyKey, type Hex } from 'newton-engine';
import { generatePrivateKey } from 'viem/accounts';

export interface KeyMaterial {
  /** X25519 secret (hex) of `newt_getPrivacyPublicKey`. */
  privacySecretKey: string;
  /** X25519 secret (hex) of `newt_getSecretsPublicKey`. */
  secretsSecretKey: string;
  /** secp256k1 secret of the gateway's signatures (`gateway_signature`). */
  gatewayPrivateKey: Hex;
}

export function loadKeyMaterial(dataDir: string): KeyMaterial {
  const file = path.join(dataDir, 'gateway-keys.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as KeyMaterial;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const keys: KeyMaterial = {
    privacySecretKey: generatePrivacyKey().secretKey,
    secretsSecretKey: generatePrivacyKey().secretKey,
    gatewayPrivateKey: generatePrivateKey(),
  };
  fs.writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return keys;
}

/** BLS keys of `count` in-process operators, kept in `operator-keys.json` (0600) so attestations survive a restart. */
export function operatorSigners(dataDir: string, count: number): BlsSigner[] {
  const file = path.join(dataDir, 'operator-keys.json');
  let keys: string[] = [];
  try {
    keys = JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (keys.length < count) {
    while (keys.length < count) {
      const secret = randomBytes(32);
      secret[0]! &= 0x3f; // below the group order
      keys.push(secret.toString('hex'));
    }
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(keys), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }
  return keys.slice(0, count).map((k) => BlsSigner.fromSecretKey(Buffer.from(k, 'hex')));
}
