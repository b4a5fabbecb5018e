// The devnet tour, every step a JSON-RPC call through NewtonClient: a spend-limit client gets an
// allowed and a denied decision, spends its attestation once and is refused the replay; one
// operator process is killed and the quorum (67 %) is still met by the rest; setPolicy changes the
// next decision and strands an attestation minted under the old policy id (PolicyIdMismatch); the
// gas-price oracle reads the fixture chain over HTTP on every operator, and an attestation left
// past its expiration is refused. After each task, a line per operator: its answers in both rounds.
import { NewtonRpcError, signOwnerAuthorization, type Certificate, type GatewayTaskResult, type Hex, type NewtonClient, type OwnerMessageType } from 'newton-engine';
import { encodeFunctionData, erc20Abi, keccak256, parseEther, toHex, type PrivateKeyAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { OperatorResponse } from '../network/events.js';
import type { FixtureChainRpc } from './fixture-chain-rpc.js';
import type { Published } from './publish.js';

export interface TourOperators {
  /** The operators' names by lowercase id ("operator 2"). */
  names: Map<string, string>;
  /** Kills one (a crash) and returns its name. */
  kill(): Promise<string>;
  /** Starts it again; resolves once the gateway has admitted it. */
  restart(): Promise<void>;
}

export interface TourOptions {
  client: NewtonClient;
  owner: PrivateKeyAccount;
  chainId: number;
  published: Published;
  chainRpc: FixtureChainRpc;
  /** Every operator answer of a task, once it ended. */
  votes(taskId: Hex): OperatorResponse[] | undefined;
  operators: TourOperators;
  log?: (line: string) => void;
}

const short = (hex: string) => `${hex.slice(0, 10)}…`;
const USDC = 10n ** 6n;
const gwei = (wei: bigint) => Number(wei) / 1e9;

type Verdict = 'ALLOW' | 'DENY';

/** The decision an attestation carries: abi.encode(bool) ends in 1 for an allow. */
function decision(task: GatewayTaskResult): Verdict {
  if (task.status !== 'success') throw new Error(`task ${task.task_id} failed: ${task.error.code} ${task.error.message}`);
  return task.task_response.evaluation_result.at(-1) === 1 ? 'ALLOW' : 'DENY';
}

/** The refusal's NEWTON_ERR_* code; anything but a NewtonRpcError (or a success) is a tour failure. */
async function refusal(promise: Promise<unknown>): Promise<NewtonRpcError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof NewtonRpcError) return err;
    throw err;
  }
  throw new Error('expected a refusal, the call succeeded');
}

function expectCode(err: NewtonRpcError, code: string): string {
  if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
  return `refused ${err.code}`;
}

/** One operator's answers to a task: "prepare ok 3 ms · commit ALLOW signed 5 ms". */
function vote(answers: OperatorResponse[]): string {
  return answers
    .map((a) => {
      const ms = `${Math.round(a.elapsed_ms)} ms`;
      if (a.status === 'error') return `${a.round} ${a.error_code} (${ms})`;
      if (a.round === 'prepare') return `prepare ok ${ms}`;
      return `commit ${a.allow ? 'ALLOW' : 'DENY'} signed ${short(a.digest ?? '')} ${ms}`;
    })
    .join(' · ');
}

export async function devnetTour(options: TourOptions): Promise<void> {
  const { client, owner, chainId, published, chainRpc, votes, operators, log = console.log } = options;
  const line = (label: string, outcome: string) => log(`   ${label.padEnd(31)} → ${outcome}`);
  const sign = async (type: OwnerMessageType, message: Record<string, unknown>) => {
    const { gateway_nonce: nonce } = await client.getNonce(owner.address);
    return signOwnerAuthorization(owner, type, message as never, { chainId, nonce });
  };
  const spend = async (taskId: Hex) => client.spendAttestation(taskId, owner.address, await sign('SpendAttestation', { taskId, caller: owner.address.toLowerCase() }));
  const paramsHash = (text: string) => keccak256(toHex(text));
  const register = async (policy: Hex, params: unknown, expireAfter: number) => {
    const policyClient = privateKeyToAccount(generatePrivateKey()).address; // a fresh client address per run
    const text = JSON.stringify(params);
    const authorization = await sign('RegisterPolicyClient', { policyClient, owner: owner.address, policy, policyParamsHash: paramsHash(text), expireAfter });
    const r = await client.registerPolicyClient({ policy_client: policyClient, owner: owner.address, policy, policy_params: text, expire_after: expireAfter, authorization });
    return { policyClient, ...r };
  };
  const printVotes = (taskId: Hex) => {
    const byOperator = new Map<string, OperatorResponse[]>();
    for (const answer of votes(taskId) ?? []) {
      const id = answer.operator_id.toLowerCase();
      byOperator.set(id, [...(byOperator.get(id) ?? []), answer]);
    }
    for (const [id, name] of [...operators.names].sort((a, b) => a[1].localeCompare(b[1]))) {
      log(`      ${name} ${short(id)}  ${byOperator.has(id) ? vote(byOperator.get(id)!) : 'no answer'}`);
    }
  };
  const task = async (label: string, policyClient: Hex, intent: Record<string, string>, wasmArgs?: unknown) => {
    const r = await client.createTask({ policy_client: policyClient, intent, wasm_args: wasmArgs === undefined ? undefined : Buffer.from(JSON.stringify(wasmArgs)).toString('hex') } as never);
    const verdict = decision(r);
    if (r.status !== 'success') throw new Error('unreachable');
    const { signers, non_signers: others, threshold } = r.certificate as unknown as Certificate;
    const quorum = `${signers.length}/${signers.length + others.length} operators signed (quorum ${threshold}%)`;
    line(label, `${verdict.padEnd(5)} task ${short(r.task_id)}  ${quorum}, expires at block ${r.expiration}`);
    printVotes(r.task_id);
    return { ...r, verdict };
  };
  const must = <T extends { verdict: Verdict; task_id: Hex }>(r: T, verdict: Verdict) => {
    if (r.verdict !== verdict) throw new Error(`task ${r.task_id}: expected ${verdict}, got ${r.verdict}`);
    return r;
  };

  // ---- spend limit: allow, deny, spend once, replay, an operator down, setPolicy ----
  const spendLimit = published.examples.spendLimit;
  const params = spendLimit.json<{ max_amount: string }>(spendLimit.manifest.params!);
  const token = spendLimit.json<{ to: Hex }>(spendLimit.manifest.intents!.intent!);
  const recipient = '0x8f86403a4de0bb5791fa46b8e795c547942fe4cf';
  const transfer = (amount: bigint) => ({
    from: owner.address, to: token.to, value: '0x0', chain_id: toHex(chainId),
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [recipient, amount * USDC] }),
    function_signature: toHex('transfer(address,uint256)'),
  });
  const limit = await register(published.policies['spend-limit']!, params, 20);
  log(`\n== spend limit over RPC: client ${short(limit.policyClient)} on examples/spend-limit (max ${BigInt(params.max_amount) / USDC} USDC), policyId ${short(limit.policy_id)}`);
  const allowed = must(await task('createTask transfer 250 USDC', limit.policyClient, transfer(250n)), 'ALLOW');
  const denied = must(await task('createTask transfer 5000 USDC', limit.policyClient, transfer(5000n)), 'DENY');
  line('spend the denied attestation', expectCode(await refusal(spend(denied.task_id)), 'NEWTON_ERR_POLICY_DENIED'));
  const spent = await spend(allowed.task_id);
  line('spend the allowed attestation', `spent once (${spent.status}, ${spent.checks.length} checks passed)`);
  line('spend it again (replay)', expectCode(await refusal(spend(allowed.task_id)), 'NEWTON_ERR_ATTESTATION_ALREADY_SPENT'));

  const killed = await operators.kill();
  log(`\n== ${killed} crashes (SIGKILL): its stake still counts in the total, so the rest must carry the quorum`);
  must(await task('createTask transfer 250 USDC', limit.policyClient, transfer(250n)), 'ALLOW');
  await operators.restart();
  line(`${killed} restarted`, 'registered again with the gateway');

  const held = must(await task('createTask transfer 250 USDC', limit.policyClient, transfer(250n)), 'ALLOW');
  const tighter = JSON.stringify({ ...params, max_amount: String(100n * USDC) });
  const setAuth = await sign('SetPolicy', { policyClient: limit.policyClient, policy: published.policies['spend-limit'], policyParamsHash: paramsHash(tighter), expireAfter: 20 });
  const set = await client.setPolicy({ policy_client: limit.policyClient, policy: published.policies['spend-limit']!, policy_params: tighter, expire_after: 20, authorization: setAuth });
  line('setPolicy max 100 USDC', `policyId ${short(set.policy_id)} (was ${short(limit.policy_id)})`);
  must(await task('createTask transfer 250 USDC', limit.policyClient, transfer(250n)), 'DENY');
  line('spend the one held from before', `${expectCode(await refusal(spend(held.task_id)), 'NEWTON_ERR_POLICY_ID_MISMATCH')} (PolicyIdMismatch)`);

  // ---- gas price: PolicyData over HTTP, then expiry ----
  const gas = published.examples.gasPrice;
  const gasParams = gas.json<{ max_gwei: number }>(gas.manifest.params!);
  const priced = await register(published.policies['oracles/gas-price']!, gasParams, 20);
  log(`\n== gas-price oracle over HTTP: client ${short(priced.policyClient)} on examples/oracles/gas-price (max ${gasParams.max_gwei} gwei)`);
  log(`   each operator runs the oracle, which asks ${chainRpc.origin} for eth_chainId + eth_gasPrice`);
  const payment = { from: owner.address, to: recipient, value: toHex(parseEther('0.05')), data: '0x', chain_id: toHex(chainId), function_signature: '0x' };
  const wasmArgs = { gas_price: { rpc_url: chainRpc.origin } };
  const before = chainRpc.requests;
  const cheap = must(await task(`createTask at ${gwei(chainRpc.gasPriceWei)} gwei`, priced.policyClient, payment, wasmArgs), 'ALLOW');
  log(`   (the fixture chain served ${chainRpc.requests - before} oracle requests for that task)`);
  const normal = chainRpc.gasPriceWei;
  chainRpc.gasPriceWei = 25_000_000_000n;
  must(await task(`createTask at ${gwei(chainRpc.gasPriceWei)} gwei`, priced.policyClient, payment, wasmArgs), 'DENY');
  chainRpc.gasPriceWei = normal;
  const { block_number: now } = await client.blockNumber();
  const { block_number: later } = await client.advanceBlocks(cheap.expiration - now + 1);
  line(`advanceBlocks ${cheap.expiration - now + 1}`, `block ${later} (the attestation expired at ${cheap.expiration})`);
  line('spend the expired attestation', `${expectCode(await refusal(spend(cheap.task_id)), 'NEWTON_ERR_ATTESTATION_EXPIRED')} (expired)`);
  const status = await client.taskStatus(cheap.task_id);
  line('taskStatus', status.status);
}
