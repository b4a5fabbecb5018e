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

/** The keys in `file` (default <dataDir>/gateway-keys.json), made there on first use. */
export function loadKeyMaterial(dataDir: string, file = path.join(dataDir, 'gateway-keys.json')): KeyMaterial {
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
  // Written whole, then linked into place: a gateway starting at the same time on a shared file
  // either links first or reads the winner's keys, never a half-written file.
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return JSON.parse(fs.readFileSync(file, 'utf8')) as KeyMaterial;
  } finally {
    fs.unlinkSync(temp);
  }
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
