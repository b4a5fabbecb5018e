// The parts of the Newton contracts (contracts/src) the gateway calls, as viem ABIs: the task
// response handler it posts to, the operator registry it reads the operator order from, the
// NewtonPolicyClient getters it reads a client's policy with, and the example vault (the devnet's
// chain tour). Every contract error is listed so a
// revert decodes to its Newton name; test/chain-devnet.test.ts checks these against solc's ABIs.
import { parseAbi } from 'viem';

const STRUCTS = [
  'struct Intent { address from; address to; uint256 value; bytes data; uint256 chainId; bytes functionSignature; }',
  'struct PolicyData { bytes wasmArgs; bytes data; address policyDataAddress; uint32 expireBlock; }',
  'struct PolicyTaskData { bytes32 policyId; address policyAddress; bytes policy; PolicyData[] policyData; }',
  'struct PolicyConfig { bytes policyParams; uint32 expireAfter; }',
  'struct TaskResponse { bytes32 taskId; address policyClient; bytes32 policyId; address policyAddress; Intent intent; bytes intentSignature; bytes evaluationResult; PolicyTaskData policyTaskData; PolicyConfig policyConfig; uint256 initializationTimestamp; }',
] as const;

const ERRORS = [
  'error CertificateMessageHashMismatch()',
  'error InsufficientQuorumStake()',
  'error SignatureVerificationFailed()',
  'error TaskAlreadyResponded(bytes32 taskId)',
  'error InvalidNonSigners()',
  'error PrecompileFailed()',
] as const;

export const TASK_RESPONSE_HANDLER_ABI = parseAbi([
  ...STRUCTS,
  ...ERRORS,
  'function respondToTask(TaskResponse response, bytes signatureData)',
  'function responded(bytes32 taskId) view returns (bool)',
  'function attestationExpirations(bytes32 taskId) view returns (uint32)',
  'function registry() view returns (address)',
  'event TaskResponded(bytes32 indexed taskId, bytes32 consensusDigest, bool allowed, uint32 expiration)',
]);

export const OPERATOR_REGISTRY_ABI = parseAbi([
  'function operatorIds() view returns (bytes32[] ids)',
  'event OperatorRegistered(uint32 indexed index, bytes32 indexed id, bytes publicKey, uint96 stake)',
]);

/** contracts/src/ExampleVault.sol's withdraw, with the validator's and the mixin's errors. */
export const EXAMPLE_VAULT_ABI = parseAbi([
  STRUCTS[0],
  'struct Attestation { bytes32 taskId; bytes32 policyId; address policyClient; uint32 expiration; Intent intent; bytes intentSignature; }',
  'function withdraw(uint256 amount, Attestation attestation)',
  'error Unauthorized(string reason)',
  'error InvalidIntent()',
  'error InvalidPolicyClient()',
  'error PolicyIdMismatch()',
  'error AttestationAlreadySpent()',
  'error AttestationHashMismatch()',
  'error AttestationExpired()',
]);

export const POLICY_CLIENT_ABI = parseAbi([
  'struct PolicyConfig { bytes policyParams; uint32 expireAfter; }',
  'function getPolicyId() view returns (bytes32)',
  'function getPolicyAddress() view returns (address)',
  'function getPolicyConfig() view returns (PolicyConfig)',
  'function getOwner() view returns (address)',
]);
