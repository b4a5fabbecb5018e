// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

import {Attestation, INewtonPolicyClient} from "./NewtonTypes.sol";

/// Newton's AttestationValidator (protocol reference §3.2): one hash per task, spent once by the
/// policy client named in it, before its expiration block.
abstract contract AttestationValidator {
    /// `attestationExpirations` value of a spent attestation.
    uint32 public constant ATTESTATION_SPENT_SENTINEL = type(uint32).max;

    mapping(bytes32 taskId => bytes32) public attestations;
    /// 0: none (or denied); the sentinel: spent; else the first block at which it is expired.
    mapping(bytes32 taskId => uint32) public attestationExpirations;

    event AttestationSpent(bytes32 indexed taskId, address indexed policyClient);

    error InvalidPolicyClient();
    error PolicyIdMismatch();
    error AttestationAlreadySpent();
    error AttestationHashMismatch();
    error AttestationExpired();

    /// Spends `attestation`; called by the policy client it names.
    function validateAttestation(Attestation calldata attestation) external returns (bool) {
        if (msg.sender != attestation.policyClient) revert InvalidPolicyClient();
        if (attestation.policyId != INewtonPolicyClient(msg.sender).getPolicyId()) revert PolicyIdMismatch();
        bytes32 taskId = attestation.taskId;
        if (attestationExpirations[taskId] == ATTESTATION_SPENT_SENTINEL) revert AttestationAlreadySpent();
        if (attestations[taskId] != keccak256(abi.encode(attestation))) revert AttestationHashMismatch();
        if (block.number >= attestation.expiration) revert AttestationExpired();
        delete attestations[taskId];
        attestationExpirations[taskId] = ATTESTATION_SPENT_SENTINEL;
        emit AttestationSpent(taskId, msg.sender);
        return true;
    }

    function _createAttestationHash(Attestation memory attestation) internal {
        attestations[attestation.taskId] = keccak256(abi.encode(attestation));
        attestationExpirations[attestation.taskId] = attestation.expiration;
    }
}
