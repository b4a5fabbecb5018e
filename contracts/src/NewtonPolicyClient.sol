// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

import {Attestation, INewtonPolicyClient, PolicyConfig} from "./NewtonTypes.sol";
import {TaskResponseHandler} from "./TaskResponseHandler.sol";

/// Newton's NewtonPolicyClient mixin (protocol reference §3.3): the client's policy and policy id,
/// and `_validateAttestation` with Newton's checks before the validator spends the attestation.
/// Newton's `setPolicy` asks the NewtonPolicy contract for a new id; here the mixin derives it
/// (a new one on every call), since there is no policy contract on this chain.
abstract contract NewtonPolicyClient is INewtonPolicyClient {
    TaskResponseHandler private policyTaskManager;
    address private policyAddress;
    bytes32 private policyId;
    address private policyClientOwner;
    PolicyConfig private policyConfig;
    uint256 private policyNonce;

    event PolicyAddressUpdated(address indexed previous, address indexed current);
    event PolicyIdUpdated(address indexed policy, bytes32 indexed policyId);

    error OnlyPolicyClientOwner();
    error PolicyNotSet();
    error Unauthorized(string reason);

    modifier onlyPolicyClientOwner() {
        if (msg.sender != policyClientOwner) revert OnlyPolicyClientOwner();
        _;
    }

    function _initNewtonPolicyClient(TaskResponseHandler taskManager, address owner) internal {
        policyTaskManager = taskManager;
        policyClientOwner = owner;
    }

    function setPolicyAddress(address policy) external onlyPolicyClientOwner {
        emit PolicyAddressUpdated(policyAddress, policy);
        policyAddress = policy;
    }

    /// A new policy id for `config`: attestations issued under the previous one stop validating.
    function setPolicy(PolicyConfig calldata config) external onlyPolicyClientOwner returns (bytes32 id) {
        if (policyAddress == address(0)) revert PolicyNotSet();
        id = keccak256(abi.encode(address(this), policyAddress, config, block.timestamp, ++policyNonce));
        policyId = id;
        policyConfig = config;
        emit PolicyIdUpdated(policyAddress, id);
    }

    function setPolicyClientOwner(address owner) external onlyPolicyClientOwner {
        policyClientOwner = owner;
    }

    function getPolicyId() external view returns (bytes32) {
        return policyId;
    }

    function getPolicyAddress() external view returns (address) {
        return policyAddress;
    }

    function getPolicyConfig() external view returns (PolicyConfig memory) {
        return policyConfig;
    }

    function getNewtonPolicyTaskManager() external view returns (address) {
        return address(policyTaskManager);
    }

    function getOwner() external view returns (address) {
        return policyClientOwner;
    }

    /// Newton's checks — the policy id, the intent's sender and chain — then the spend.
    function _validateAttestation(Attestation calldata attestation) internal returns (bool) {
        if (attestation.policyId != policyId) revert Unauthorized("Policy ID does not match");
        if (attestation.intent.from != msg.sender) revert Unauthorized("Not authorized intent sender");
        if (attestation.intent.chainId != block.chainid) revert Unauthorized("Chain ID does not match");
        return policyTaskManager.validateAttestation(attestation);
    }
}
