// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

import {AttestationValidator} from "./AttestationValidator.sol";
import {Bls} from "./Bls.sol";
import {Attestation, BlsCertificate, TaskResponse} from "./NewtonTypes.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";

/// Verifies BLS12-381 certificates against the operator registry and turns certified allowed
/// task responses into attestations (Newton's respondToTask and createAttestationHash). Anyone
/// may post a response: the certificate, not the sender, is what is trusted.
contract TaskResponseHandler is AttestationValidator {
    OperatorRegistry public immutable registry;

    /// `expiration` is the attestation's: a client rebuilds it from the response and this.
    event TaskResponded(bytes32 indexed taskId, bytes32 consensusDigest, bool allowed, uint32 expiration);

    error CertificateMessageHashMismatch();
    error InsufficientQuorumStake();
    error SignatureVerificationFailed();
    error TaskAlreadyResponded(bytes32 taskId);

    mapping(bytes32 taskId => bool) public responded;

    constructor(OperatorRegistry operatorRegistry) {
        registry = operatorRegistry;
    }

    /// Reverts unless `signatureData` (an abi-encoded BlsCertificate) carries a valid aggregate
    /// signature over `message` by operators holding at least the threshold of the stake.
    function verifyCertificate(bytes32 message, bytes calldata signatureData) public view {
        BlsCertificate memory certificate = abi.decode(signatureData, (BlsCertificate));
        if (certificate.message != message) revert CertificateMessageHashMismatch();
        (bytes memory aggregateKey, uint256 signedStake, uint256 totalStake, uint8 threshold) =
            registry.signers(certificate.nonSignerIndices, certificate.nonSignerKeys);
        if (signedStake == 0 || signedStake * 100 < totalStake * threshold) revert InsufficientQuorumStake();
        bytes memory hashPoint = Bls.hashToG2(abi.encodePacked(message), Bls.SIG_DST);
        if (
            certificate.signature.length != 256 || Bls.isIdentity(aggregateKey)
                || !Bls.pairingCheck(aggregateKey, hashPoint, certificate.signature)
        ) {
            revert SignatureVerificationFailed();
        }
    }

    /// Verifies the response's certificate; an allowed response becomes an attestation that
    /// expires `policyConfig.expireAfter` blocks from now.
    function respondToTask(TaskResponse calldata response, bytes calldata signatureData) external {
        if (responded[response.taskId]) revert TaskAlreadyResponded(response.taskId);
        bytes32 digest = keccak256(abi.encode(response));
        verifyCertificate(digest, signatureData);
        responded[response.taskId] = true;
        bool allowed = isAllowed(response.evaluationResult);
        uint32 expiration;
        if (allowed) {
            expiration = uint32(block.number) + response.policyConfig.expireAfter;
            _createAttestationHash(
                Attestation({
                    taskId: response.taskId,
                    policyId: response.policyId,
                    policyClient: response.policyClient,
                    expiration: expiration,
                    intent: response.intent,
                    intentSignature: response.intentSignature
                })
            );
        }
        emit TaskResponded(response.taskId, digest, allowed, expiration);
    }

    /// Newton's evaluateResult: abi.encode(true), or the ABI string "true".
    function isAllowed(bytes calldata result) public pure returns (bool) {
        if (result.length == 32) return uint256(bytes32(result)) == 1;
        if (result.length < 96) return false;
        return uint256(bytes32(result[0:32])) == 32 && uint256(bytes32(result[32:64])) == 4
            && bytes4(result[64:68]) == "true";
    }
}
