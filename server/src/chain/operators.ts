// The on-chain operator registry in its order (the order a certificate's non-signer indices
// refer to): ids from operatorIds(), keys from the OperatorRegistered events. Operators are never
// removed there, so only new indices are read again.
import type { Hex, OnChainOperator } from 'newton-engine';
import type { PublicClient } from 'viem';
import { OPERATOR_REGISTRY_ABI } from './abi.js';

export class OnChainOperators {
  readonly #client: PublicClient;
  readonly #address: Hex;
  readonly #fromBlock: bigint;
  #known: OnChainOperator[] = [];

  constructor(client: PublicClient, address: Hex, fromBlock = 0) {
    this.#client = client;
    this.#address = address;
    this.#fromBlock = BigInt(fromBlock);
  }

  /** Every registered operator with its 48-byte key, in registry order. */
  async list(): Promise<OnChainOperator[]> {
    const ids = await this.#client.readContract({ address: this.#address, abi: OPERATOR_REGISTRY_ABI, functionName: 'operatorIds' });
    if (ids.length === this.#known.length) return this.#known;
    const logs = await this.#client.getContractEvents({
      address: this.#address,
      abi: OPERATOR_REGISTRY_ABI,
      eventName: 'OperatorRegistered',
      fromBlock: this.#fromBlock,
      toBlock: 'latest',
      strict: true,
    });
    const keys = new Map(logs.map((log) => [log.args.index, log.args.publicKey]));
    this.#known = ids.map((id, index) => {
      const publicKey = keys.get(index);
      if (publicKey === undefined) throw new Error(`the registry's operator ${index} (${id}) has no OperatorRegistered event after block ${this.#fromBlock}`);
      return { id, publicKey };
    });
    return this.#known;
  }
}
