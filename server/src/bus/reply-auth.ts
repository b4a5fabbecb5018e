// An operator's signature on what it publishes to the bus, where anyone connected could publish
// under its id: its BLS key over keccak256 of a domain tag, the subject and the payload. Prepare
// answers (unsigned PolicyData) and errors carry it; commit answers are BLS signatures of the
// consensus digest already, checked by the aggregator.
import { blsVerify, hexToBytes, type BlsSigner, type Hex } from 'newton-engine';
import { keccak256, stringToBytes } from 'viem';

/** The NATS header carrying it (0x-hex, 96 bytes). */
export const REPLY_SIGNATURE_HEADER = 'x-newton-operator-signature';

const digest = (subject: string, payload: string) => hexToBytes(keccak256(stringToBytes(`newton-operator-reply/1\n${subject}\n${payload}`)));

export async function signReply(signer: BlsSigner, subject: string, payload: string): Promise<Hex> {
  return `0x${Buffer.from(await signer.sign(digest(subject, payload))).toString('hex')}`;
}

/** Whether `signature` is `publicKey`'s over (subject, payload); malformed input is false. */
export async function verifyReply(publicKey: Hex, subject: string, payload: string, signature: string | undefined): Promise<boolean> {
  if (signature === undefined || !/^0x[0-9a-fA-F]{192}$/.test(signature)) return false;
  try {
    return await blsVerify(hexToBytes(publicKey), digest(subject, payload), hexToBytes(signature));
  } catch {
    return false;
  }
}
