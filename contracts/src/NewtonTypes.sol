// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

// Newton's structs (NewtonMessage.sol, INewtonProverTaskManager.sol) with their field order, so
// abi.encode gives the same bytes and keccak256(abi.encode(TaskResponse)) the consensus digest
// that operators sign; and the BLS12-381 certificate that replaces Newton's BN254 one.

struct Intent {
    address from;
    address to;
    uint256 value;
    bytes data;
    uint256 chainId;
    bytes functionSignature;
}

struct Attestation {
    bytes32 taskId;
    bytes32 policyId;
    address policyClient;
    uint32 expiration;
    Intent intent;
    bytes intentSignature;
}

struct PolicyData {
    bytes wasmArgs;
    bytes data;
    address policyDataAddress;
    uint32 expireBlock;
}

struct PolicyTaskData {
    bytes32 policyId;
    address policyAddress;
    bytes policy;
    PolicyData[] policyData;
}

struct PolicyConfig {
    bytes policyParams;
    uint32 expireAfter;
}

struct TaskResponse {
    bytes32 taskId;
    address policyClient;
    bytes32 policyId;
    address policyAddress;
    Intent intent;
    bytes intentSignature;
    bytes evaluationResult;
    PolicyTaskData policyTaskData;
    PolicyConfig policyConfig;
    uint256 initializationTimestamp;
}

/// An aggregate BLS12-381 signature by every registered operator except `nonSignerIndices`; the
/// `signature_data` of a task response (bindings/src/certificate-abi.ts encodes it).
struct BlsCertificate {
    /// The signed message: a task response's consensus digest.
    bytes32 message;
    /// Registry indices of the operators that did not sign, strictly ascending.
    uint32[] nonSignerIndices;
    /// Their keys in EIP-2537 G1 form, 128 bytes each, in the same order (checked against the
    /// registry's key hashes: calldata is cheaper than reading whole keys from storage).
    bytes nonSignerKeys;
    /// The aggregate signature in EIP-2537 G2 form (256 bytes).
    bytes signature;
}

/// The interface the validator asks a policy client for (Newton's INewtonPolicyClient subset).
interface INewtonPolicyClient {
    function getPolicyId() external view returns (bytes32);
    function getPolicyAddress() external view returns (address);
}
