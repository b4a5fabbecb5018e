// Gas of on-chain verification (contracts/, issue 16) on anvil (Prague): per operator count and
// non-signer count, TaskResponseHandler.verifyCertificate of one Rust-aggregated certificate (a
// transaction's gas, from a call trace), respondToTask (verification, digest, attestation stored)
// and the vault's withdraw (Newton's checks and the spend); beside the precompile floor, the
// two-pair pairing (102,900), and where the rest goes. Gas is deterministic: one run per row.
import { encodeFunctionData, parseEther } from 'viem';
import { startAnvil } from '../contracts/anvil.mjs';
import { ACCOUNTS, abiOf, clients, deploy, deployNewton, send } from '../contracts/chain.mjs';
import { attestationFor, certify, makeOperators, offChainRegistry, signatureData, solidity, vaultTask } from '../contracts/newton-fixture.mjs';
import { printMachine, printRatios, ratio } from './lib/report.mjs';
import { packageVersion, writeResults } from './lib/results.mjs';

const THRESHOLD = 67;
const PAIRING_FLOOR = 102_900;
/** Operator count → non-signer counts: none, one, and the most the 67% threshold allows. */
const CASES = { 4: [0, 1], 16: [0, 1, 5], 64: [0, 1, 21] };
const PRECOMPILE = { '0x02': 'sha256', '0x05': 'modexp', '0x0b': 'g1add', '0x0d': 'g2add', '0x0f': 'pairing', '0x11': 'map_fp2_to_g2' };

printMachine();
const anvil = await startAnvil();
const rows = [];
try {
  const chain = clients(anvil.rpcUrl);
  for (const [n, nonSignerCounts] of Object.entries(CASES).map(([n, ks]) => [Number(n), ks])) {
    const operators = makeOperators(n);
    const registry = offChainRegistry(operators);
    const { handler } = await deployNewton(chain, operators, THRESHOLD);
    const vault = { address: await deploy(chain, 'ExampleVault', [handler.address, ACCOUNTS[0]]), abi: abiOf('ExampleVault') };
    await send(chain, { ...vault, functionName: 'setPolicyAddress', args: [`0x${'aa'.repeat(20)}`] });
    await send(chain, { ...vault, functionName: 'setPolicy', args: [{ policyParams: '0x7b7d', expireAfter: 100 }] });
    const policyId = await chain.publicClient.readContract({ ...vault, functionName: 'getPolicyId' });
    await chain.wallet().sendTransaction({ to: vault.address, value: parseEther('1') });

    for (const k of nonSignerCounts) {
      const taskId = `0x${(n * 1000 + k).toString(16).padStart(64, '0')}`;
      const { task, response } = vaultTask({ vault: vault.address, sender: ACCOUNTS[0], policyId, amount: 1, taskId, expireAfter: 100 });
      const certificate = certify(registry, response, operators.slice(0, n - k));
      const data = signatureData(certificate, operators);

      const verify = await traceVerify(chain, handler, certificate.message, data);
      const responded = await send(chain, { ...handler, functionName: 'respondToTask', args: [solidity(response), data] });
      const attestation = attestationFor(task, response, certificate, Number(responded.blockNumber) + 100);
      const withdrawn = await send(chain, { ...vault, functionName: 'withdraw', args: [1n, attestation] });
      const [respond, withdraw] = [Number(responded.gasUsed), Number(withdrawn.gasUsed)];
      rows.push({
        case: `${n} operators, ${k} non-signer${k === 1 ? '' : 's'}`,
        'verifyCertificate gas': verify.total,
        'respondToTask gas': respond,
        'withdraw gas': withdraw,
        'respond + withdraw gas': respond + withdraw,
        'pairing gas': verify.pairing,
        'hash-to-G2 gas': verify.hashToG2,
        'registry gas (key hashes, stakes, G1ADDs)': verify.registry,
        'intrinsic + calldata gas': verify.intrinsic,
        'handler rest gas': verify.total - verify.pairing - verify.hashToG2 - verify.registry - verify.intrinsic,
      });
    }
  }
} finally {
  await anvil.stop();
}

console.table(rows);
const row = (name) => rows.find((r) => r.case === name);
const ratios = [
  ratio('verifyCertificate gas, 4 operators 1 non-signer / 250,000', row('4 operators, 1 non-signer')['verifyCertificate gas'], 250_000, '≤ 1.00×', (r) => r <= 1),
  ratio('verifyCertificate gas, 4 operators 1 non-signer / pairing floor (102,900)', row('4 operators, 1 non-signer')['verifyCertificate gas'], PAIRING_FLOOR),
  ratio('verifyCertificate gas, 64 operators 21 non-signers / 4 operators 1 non-signer', row('64 operators, 21 non-signers')['verifyCertificate gas'], row('4 operators, 1 non-signer')['verifyCertificate gas']),
];
printRatios(ratios);
const notes = [
  'verifyCertificate gas is what a transaction calling it uses (debug_traceCall, callTracer): 21,000 + calldata + execution.',
  'pairing: one PAIRING_CHECK of two pairs, e(apk, H(m))·e(−g1, σ) = 1: 32,600·2 + 37,700 = 102,900, the floor of any BLS verification on EIP-2537.',
  'hash-to-G2: expand_message_xmd (9 SHA-256 calls), 4 MODEXP reductions mod p, 2 MAP_FP2_TO_G2 (23,800 each) and one G2ADD (600).',
  'registry: the external call to OperatorRegistry.signers: the stored aggregate key (3 slots), total stake, threshold, and per non-signer one slot (key hash and stake, a cold SLOAD: 2,100), the keccak of its key and one G1ADD (375); the keys themselves come in calldata (128 bytes each).',
  'respondToTask adds the consensus digest (keccak of the ABI-encoded TaskResponse, ~1.5 KB of calldata here) and the attestation hash, expiration and responded flag (new storage slots); withdraw is the vault\'s intent binding, Newton\'s three Unauthorized checks, the hash check and the spend, and the ETH transfer.',
];
console.log(`notes:\n${notes.map((n) => `- ${n}`).join('\n')}`);
writeResults('contracts', {
  rows,
  ratios,
  chart: { title: 'verifyCertificate gas per certificate', value: 'verifyCertificate gas', unit: 'gas' },
  versions: { solc: packageVersion('solc'), anvil: packageVersion('@foundry-rs/anvil') },
  notes,
});

/** verifyCertificate as a transaction would run it, split by callee from a call trace. */
async function traceVerify(chain, handler, message, signatureDataHex) {
  const data = encodeFunctionData({ abi: handler.abi, functionName: 'verifyCertificate', args: [message, signatureDataHex] });
  const trace = await chain.publicClient.request({
    method: 'debug_traceCall',
    params: [{ from: ACCOUNTS[0], to: handler.address, data }, 'latest', { tracer: 'callTracer' }],
  });
  if (trace.error) throw new Error(`verifyCertificate reverted: ${trace.error}`);
  const gas = {};
  for (const call of trace.calls ?? []) {
    const kind = PRECOMPILE[`0x${call.to.slice(-2)}`] && BigInt(call.to) < 0x100n ? PRECOMPILE[`0x${call.to.slice(-2)}`] : 'registry';
    gas[kind] = (gas[kind] ?? 0) + Number(call.gasUsed);
  }
  return {
    total: Number(trace.gasUsed),
    pairing: gas.pairing,
    hashToG2: gas.sha256 + gas.modexp + gas.map_fp2_to_g2 + gas.g2add,
    registry: gas.registry,
    intrinsic: intrinsicGas(data),
  };
}

/** 21,000 plus calldata at 4 gas per zero byte and 16 per other byte (the EIP-7623 floor does not bind here). */
function intrinsicGas(data) {
  const bytes = Buffer.from(data.slice(2), 'hex');
  const zeros = bytes.filter((b) => b === 0).length;
  return 21_000 + 4 * zeros + 16 * (bytes.length - zeros);
}
