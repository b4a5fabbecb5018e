// Chain failures as NEWTON_ERR_CHAIN with what was being done and, for a revert, the contract
// error's Newton name and arguments (decoded by viem from the ABIs in abi.ts).
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { RpcError } from '../rpc/errors.js';

/** The decoded revert `Name(arg, …)`, or undefined when `err` is not a decoded revert. */
export function revertOf(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  if (reverted.data) return `${reverted.data.errorName}(${(reverted.data.args ?? []).map(String).join(', ')})`;
  return reverted.reason ? `Error(${reverted.reason})` : undefined;
}

export function chainError(doing: string, err: unknown): RpcError {
  const revert = revertOf(err);
  const cause = revert ? `reverted ${revert}` : err instanceof BaseError ? err.shortMessage : (err as Error)?.message ?? String(err);
  return new RpcError('NEWTON_ERR_CHAIN', `${doing}: ${cause}`, { details: revert ? { revert } : undefined });
}
