// A set of in-process operators: N fresh BLS keys (or given signers), one TaskEvaluator each, and
// the OperatorRegistry they are registered in with their proofs of possession and stakes.
import { randomBytes } from 'node:crypto';
import { BlsSigner, OperatorRegistry, PolicyDataHost, type PolicyDataHostOptions } from 'newton-engine';
import type { StakeInput } from './identity.js';
import { registryEntry } from './identity.js';
import { InProcessTransport, type InProcessTransportOptions } from './in-process-transport.js';
import type { ContentSource } from './transport.js';

export interface InProcessOperatorsOptions {
  /** Where the operators fetch announced content from. */
  content: ContentSource;
  /** How many operators (default 4); ignored when `signers` are given. */
  count?: number;
  /** The operators' keys (default: fresh random keys). */
  signers?: BlsSigner[];
  /** Each operator's stake, or one per operator (default `{ "0": 1000 }`). */
  stake?: StakeInput | StakeInput[];
  /**
   * The PolicyData host they share (or options for one). Sharing is safe: a host holds only
   * compiled code keyed by content hash, the HTTP client and the instance slots; every run is
   * a fresh instance with its own limits, secrets and fixtures.
   */
  host?: PolicyDataHost | PolicyDataHostOptions;
  compileOptions?: InProcessTransportOptions['compileOptions'];
}

export interface InProcessOperators {
  operators: InProcessTransport[];
  /** Every operator registered (proofs of possession verified) with its stake. */
  registry: OperatorRegistry;
  host: PolicyDataHost;
}

/** A fresh BLS key: 32 random bytes with the top bits cleared, so it is below the group order. */
function randomSigner(): BlsSigner {
  const secret = randomBytes(32);
  secret[0]! &= 0x3f;
  secret[31]! |= 1;
  return BlsSigner.fromSecretKey(secret);
}

/** Creates the operators and registers them (proofs verified off the event loop). */
export async function createInProcessOperators(options: InProcessOperatorsOptions): Promise<InProcessOperators> {
  const { content, count = 4, stake = { 0: 1000 }, compileOptions } = options;
  const signers = options.signers ?? Array.from({ length: count }, randomSigner);
  const host = options.host instanceof PolicyDataHost ? options.host : new PolicyDataHost(options.host);
  const operators = signers.map((signer, i) => {
    const own = Array.isArray(stake) ? stake[i] : stake;
    if (own === undefined) throw new RangeError(`no stake given for operator ${i}`);
    return new InProcessTransport({ signer, host, content, stake: own, compileOptions });
  });
  const registry = await OperatorRegistry.fromJson(operators.map((op) => registryEntry(op.identity)));
  return { operators, registry, host };
}
