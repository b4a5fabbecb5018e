// Chain mode (`gateway start --chain-rpc URL`): the gateway on a real EVM chain holding the Newton
// contracts (contracts/src). Its block clock is the chain's; a client's policy is read from the
// client contract for each task (policy-client.ts); a certified response is posted to the
// TaskResponseHandler (respondToTask, the certificate ABI-encoded against the on-chain registry's
// operator order) before the task's result is answered, whose reference block and expiration are
// then exactly the attestation's on chain.
import { NewtonError, encodeCertificate, type Hex, type NewtonTask, type NewtonTaskResponse } from 'newton-engine';
import { createPublicClient, createWalletClient, defineChain, http, nonceManager, type PublicClient } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import type { Gateway } from '../gateway.js';
import type { RespondedOutcome } from '../network/outcome.js';
import { RpcError } from '../rpc/errors.js';
import type { PolicyClientRecord } from '../store/store.js';
import { taskResult, type TaskResult } from '../tasks/results.js';
import { TASK_RESPONSE_HANDLER_ABI } from './abi.js';
import { ChainClock } from './clock.js';
import { chainContracts, readChainContracts, type ChainContracts } from './deployment.js';
import { chainError } from './errors.js';
import { OnChainOperators } from './operators.js';
import { mirrorPolicyClient } from './policy-client.js';

export type { ChainContracts } from './deployment.js';

export interface ChainOptions {
  /** The chain's JSON-RPC endpoint (http or https). */
  rpcUrl: string;
  /** Where the contracts are: the object, or the path of the JSON a deploy step wrote. */
  contracts: ChainContracts | string;
  /** The key responses are posted with (its account pays the gas); default the gateway's signing key. */
  privateKey?: Hex;
  /** How often the latest block is read, ms (default 1,000). */
  pollingIntervalMs?: number;
  /** How long to wait for a posted response to be mined, ms (default 120,000). */
  receiptTimeoutMs?: number;
}

/** AttestationValidator.ATTESTATION_SPENT_SENTINEL. */
const SPENT = 2 ** 32 - 1;

/** A NewtonTaskResponse as viem's arguments: uint256 fields as bigints. */
function responseArgs(r: NewtonTaskResponse) {
  return {
    ...r,
    intent: { ...r.intent, value: BigInt(r.intent.value), chainId: BigInt(r.intent.chainId) },
    initializationTimestamp: BigInt(r.initializationTimestamp),
  };
}

export class ChainMode {
  readonly #public: PublicClient;
  readonly #wallet;
  readonly #operators: OnChainOperators;
  readonly #reading = new Map<string, Promise<PolicyClientRecord>>();
  readonly #receiptTimeoutMs: number;

  private constructor(
    readonly clock: ChainClock,
    readonly contracts: ChainContracts,
    /** The account responses are posted from. */
    readonly account: PrivateKeyAccount,
    client: PublicClient,
    rpcUrl: string,
    receiptTimeoutMs: number,
  ) {
    this.#public = client;
    const chain = defineChain({ id: clock.chainId, name: `chain ${clock.chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
    this.#wallet = createWalletClient({ chain, account, transport: http(rpcUrl) });
    this.#operators = new OnChainOperators(client, contracts.operatorRegistry, contracts.deployedBlock);
    this.#receiptTimeoutMs = receiptTimeoutMs;
  }

  static async open(options: ChainOptions, gatewayKey: Hex): Promise<ChainMode> {
    const contracts = typeof options.contracts === 'string' ? readChainContracts(options.contracts) : chainContracts(options.contracts);
    // Receipts are polled at the clock's interval too (viem's default is 4 s).
    const client = createPublicClient({ transport: http(options.rpcUrl, { batch: true }), pollingInterval: options.pollingIntervalMs ?? 1_000 }) as PublicClient;
    const clock = await ChainClock.open(client, { pollingIntervalMs: options.pollingIntervalMs });
    if (clock.chainId !== contracts.chainId) {
      clock.close();
      throw new RpcError('NEWTON_ERR_CHAIN', `${options.rpcUrl} is chain ${clock.chainId}, but the contracts are on chain ${contracts.chainId}`);
    }
    const account = privateKeyToAccount(options.privateKey ?? gatewayKey, { nonceManager });
    return new ChainMode(clock, contracts, account, client, options.rpcUrl, options.receiptTimeoutMs ?? 120_000);
  }

  /** The client contract's current policy, mirrored into the store (concurrent tasks share one read). */
  policyClient(gateway: Gateway, address: Hex): Promise<PolicyClientRecord> {
    const key = address.toLowerCase();
    let reading = this.#reading.get(key);
    if (!reading) {
      reading = mirrorPolicyClient(gateway, this.#public, address).finally(() => this.#reading.delete(key));
      this.#reading.set(key, reading);
    }
    return reading;
  }

  /**
   * Posts a certified response (respondToTask) and waits for it to be mined: the success result
   * carries the ABI certificate as signature_data and the receipt's block as reference block; a
   * refusal is a failed result (NEWTON_ERR_CHAIN with the revert, or the encoder's code).
   */
  async respond(task: NewtonTask, outcome: RespondedOutcome): Promise<TaskResult> {
    try {
      const signatureData = encodeCertificate(outcome.certificate, await this.#operators.list());
      const { request } = await this.#public.simulateContract({
        address: this.contracts.taskResponseHandler,
        abi: TASK_RESPONSE_HANDLER_ABI,
        functionName: 'respondToTask',
        args: [responseArgs(outcome.task_response), signatureData],
        account: this.account,
      });
      const hash = await this.#wallet.writeContract(request);
      const receipt = await this.#public.waitForTransactionReceipt({ hash, timeout: this.#receiptTimeoutMs });
      if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
      this.clock.observe(Number(receipt.blockNumber));
      return taskResult(task, outcome, Number(receipt.blockNumber), signatureData);
    } catch (err) {
      const error = err instanceof NewtonError ? { code: err.code, message: err.message } : chainError(`posting task ${task.taskId} to the TaskResponseHandler`, err);
      return {
        task_id: task.taskId,
        status: 'failed',
        error: { code: error.code, message: error.message, ...(error instanceof RpcError && error.details && { details: error.details }) },
        aggregation_response: null,
        operator_errors: outcome.operator_errors,
        timestamp: Date.now(),
      };
    }
  }

  /** Whether the handler marked the task's attestation spent (attestationExpirations = the sentinel). */
  async attestationSpent(taskId: Hex): Promise<boolean> {
    try {
      const expiration = await this.#public.readContract({ address: this.contracts.taskResponseHandler, abi: TASK_RESPONSE_HANDLER_ABI, functionName: 'attestationExpirations', args: [taskId] });
      return expiration === SPENT;
    } catch (err) {
      throw chainError(`reading attestationExpirations(${taskId})`, err);
    }
  }

  close(): void {
    this.clock.close();
  }
}
