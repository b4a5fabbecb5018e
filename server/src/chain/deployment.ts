// Where the Newton contracts of a chain are: the JSON a deploy step writes (contracts/deploy.mjs,
// `newton devnet --chain`) and `gateway start --chain-contracts FILE` reads.
import fs from 'node:fs';
import type { Hex } from 'newton-engine';
import { isAddress } from 'viem';

export interface ChainContracts {
  chainId: number;
  operatorRegistry: Hex;
  taskResponseHandler: Hex;
  /** The registry's deployment block: its OperatorRegistered events are read from here (default 0). */
  deployedBlock?: number;
}

/** `value` (a parsed file) checked field by field; throws a TypeError naming the bad field. */
export function chainContracts(value: unknown, source = 'chain contracts'): ChainContracts {
  const v = (value ?? {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(v.chainId) || (v.chainId as number) <= 0) throw new TypeError(`${source}: chainId must be a positive integer`);
  for (const field of ['operatorRegistry', 'taskResponseHandler']) {
    if (typeof v[field] !== 'string' || !isAddress(v[field] as string)) throw new TypeError(`${source}: ${field} must be an address`);
  }
  if (v.deployedBlock !== undefined && (!Number.isSafeInteger(v.deployedBlock) || (v.deployedBlock as number) < 0)) {
    throw new TypeError(`${source}: deployedBlock must be a block number`);
  }
  return {
    chainId: v.chainId as number,
    operatorRegistry: v.operatorRegistry as Hex,
    taskResponseHandler: v.taskResponseHandler as Hex,
    ...(v.deployedBlock !== undefined && { deployedBlock: v.deployedBlock as number }),
  };
}

export function readChainContracts(file: string): ChainContracts {
  return chainContracts(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}
