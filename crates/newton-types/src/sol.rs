//! The on-chain data model (`NewtonMessage.sol`, `INewtonProverTaskManager.sol`,
//! `INewtonPolicy.sol`, `INewtonPolicyData.sol`), field for field.
//!
//! Field names keep their Solidity spelling so the EIP-712 type strings come out right.

alloy_sol_types::sol! {
    #![sol(all_derives)]

    /// The action a caller asks to perform.
    struct Intent {
        address from;
        address to;
        uint256 value;
        bytes data;
        uint256 chainId;
        bytes functionSignature;
    }

    /// A single-use proof that a task was allowed; its hash is stored by `AttestationValidator`.
    struct Attestation {
        bytes32 taskId;
        bytes32 policyId;
        address policyClient;
        uint32 expiration;
        Intent intent;
        bytes intentSignature;
    }

    /// One PolicyData source's output for a task (no `attestation` field since 2026-04).
    struct PolicyData {
        bytes wasmArgs;
        bytes data;
        address policyDataAddress;
        uint32 expireBlock;
    }

    /// The policy and its data a task was evaluated against; `policy` is the raw Rego bytes.
    struct PolicyTaskData {
        bytes32 policyId;
        address policyAddress;
        bytes policy;
        PolicyData[] policyData;
    }

    /// Per-client policy configuration: UTF-8 JSON params and a lifetime in blocks.
    struct PolicyConfig {
        bytes policyParams;
        uint32 expireAfter;
    }

    /// A client's current policy.
    struct PolicyState {
        address policyAddress;
        bytes32 policyId;
        PolicyConfig policyConfig;
    }

    /// A task as created by the task generator.
    struct Task {
        bytes32 taskId;
        address policyClient;
        uint32 taskCreatedBlock;
        uint32 quorumThresholdPercentage;
        Intent intent;
        bytes intentSignature;
        bytes wasmArgs;
        bytes quorumNumbers;
        uint256 initializationTimestamp;
    }

    /// The operators' answer to a task; its ABI hash is the BLS-signed consensus digest.
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

    /// What `respondToTask` records next to a response.
    struct ResponseCertificate {
        uint32 referenceBlock;
        uint32 responseExpireBlock;
        bytes32 hashOfNonSigners;
        bytes signatureData;
    }

    /// A challenge: SP1 proof and its public values.
    struct ChallengeData {
        bytes32 taskId;
        bytes proof;
        bytes data;
    }

    /// Emitted by `NewtonPolicy.setPolicy` (`PolicySet`).
    struct SetPolicyInfo {
        bytes32 policyId;
        address policyAddress;
        address owner;
        string policyCid;
        string schemaCid;
        string entrypoint;
        PolicyConfig policyConfig;
        address[] policyData;
        bytes32 policyCodeHash;
        string version;
    }

    /// Emitted by `NewtonPolicyFactory.deployPolicy` (`PolicyDeployed`).
    struct PolicyInfo {
        address policyAddress;
        address owner;
        string metadataCid;
        string policyCid;
        string schemaCid;
        string entrypoint;
        address[] policyData;
        bytes32 policyCodeHash;
    }

    /// Emitted by `NewtonPolicyDataFactory.deployPolicyData` (`PolicyDataDeployed`).
    struct PolicyDataInfo {
        address policyDataAddress;
        address owner;
        string metadataCid;
        string wasmCid;
        string secretsSchemaCid;
        uint32 expireAfter;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_sol_types::SolStruct;

    /// The EIP-712 root type lists every field in declaration order with its Solidity type.
    #[test]
    fn fields_follow_the_contracts() {
        let cases = [
            (
                Intent::eip712_root_type(),
                "Intent(address from,address to,uint256 value,bytes data,uint256 chainId,\
                 bytes functionSignature)",
            ),
            (
                Attestation::eip712_root_type(),
                "Attestation(bytes32 taskId,bytes32 policyId,address policyClient,uint32 expiration,\
                 Intent intent,bytes intentSignature)",
            ),
            (
                PolicyData::eip712_root_type(),
                "PolicyData(bytes wasmArgs,bytes data,address policyDataAddress,uint32 expireBlock)",
            ),
            (
                PolicyTaskData::eip712_root_type(),
                "PolicyTaskData(bytes32 policyId,address policyAddress,bytes policy,\
                 PolicyData[] policyData)",
            ),
            (PolicyConfig::eip712_root_type(), "PolicyConfig(bytes policyParams,uint32 expireAfter)"),
            (
                PolicyState::eip712_root_type(),
                "PolicyState(address policyAddress,bytes32 policyId,PolicyConfig policyConfig)",
            ),
            (
                Task::eip712_root_type(),
                "Task(bytes32 taskId,address policyClient,uint32 taskCreatedBlock,\
                 uint32 quorumThresholdPercentage,Intent intent,bytes intentSignature,bytes wasmArgs,\
                 bytes quorumNumbers,uint256 initializationTimestamp)",
            ),
            (
                TaskResponse::eip712_root_type(),
                "TaskResponse(bytes32 taskId,address policyClient,bytes32 policyId,\
                 address policyAddress,Intent intent,bytes intentSignature,bytes evaluationResult,\
                 PolicyTaskData policyTaskData,PolicyConfig policyConfig,\
                 uint256 initializationTimestamp)",
            ),
            (
                ResponseCertificate::eip712_root_type(),
                "ResponseCertificate(uint32 referenceBlock,uint32 responseExpireBlock,\
                 bytes32 hashOfNonSigners,bytes signatureData)",
            ),
            (ChallengeData::eip712_root_type(), "ChallengeData(bytes32 taskId,bytes proof,bytes data)"),
            (
                SetPolicyInfo::eip712_root_type(),
                "SetPolicyInfo(bytes32 policyId,address policyAddress,address owner,string policyCid,\
                 string schemaCid,string entrypoint,PolicyConfig policyConfig,address[] policyData,\
                 bytes32 policyCodeHash,string version)",
            ),
            (
                PolicyInfo::eip712_root_type(),
                "PolicyInfo(address policyAddress,address owner,string metadataCid,string policyCid,\
                 string schemaCid,string entrypoint,address[] policyData,bytes32 policyCodeHash)",
            ),
            (
                PolicyDataInfo::eip712_root_type(),
                "PolicyDataInfo(address policyDataAddress,address owner,string metadataCid,\
                 string wasmCid,string secretsSchemaCid,uint32 expireAfter)",
            ),
        ];
        for (actual, expected) in cases {
            assert_eq!(actual, expected);
        }
    }
}
