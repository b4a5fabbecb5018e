// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

import {Attestation} from "./NewtonTypes.sol";
import {NewtonPolicyClient} from "./NewtonPolicyClient.sol";
import {TaskResponseHandler} from "./TaskResponseHandler.sol";

/// An application protected by a Newton policy: `withdraw` pays out only with an attestation
/// for exactly this call. The mixin checks the policy, sender and chain; binding the intent's
/// target, value and calldata to the call is the application's job, done here.
contract ExampleVault is NewtonPolicyClient {
    event Withdrawn(address indexed to, uint256 amount, bytes32 indexed taskId);

    error InvalidIntent();
    error TransferFailed();

    constructor(TaskResponseHandler taskManager, address owner) {
        _initNewtonPolicyClient(taskManager, owner);
    }

    receive() external payable {}

    /// The attested intent must be `withdraw(amount)` on this vault with no value.
    function withdraw(uint256 amount, Attestation calldata attestation) external {
        if (
            attestation.intent.to != address(this) || attestation.intent.value != 0
                || keccak256(attestation.intent.data) != keccak256(abi.encodeWithSignature("withdraw(uint256)", amount))
        ) revert InvalidIntent();
        _validateAttestation(attestation);
        (bool sent,) = msg.sender.call{value: amount}("");
        if (!sent) revert TransferFailed();
        emit Withdrawn(msg.sender, amount, attestation.taskId);
    }
}
