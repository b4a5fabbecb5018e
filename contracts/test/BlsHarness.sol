// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

import {Bls} from "../src/Bls.sol";

/// Exposes the Bls library to the vector tests (test/contracts-bls.test.ts).
contract BlsHarness {
    function verify(bytes calldata publicKey, bytes calldata message, bytes calldata signature)
        external
        view
        returns (bool)
    {
        return Bls.verify(publicKey, message, signature, Bls.SIG_DST);
    }

    function fastAggregateVerify(bytes[] calldata publicKeys, bytes calldata message, bytes calldata signature)
        external
        view
        returns (bool)
    {
        return Bls.fastAggregateVerify(publicKeys, message, signature);
    }

    function hashToG2(bytes calldata message, bytes calldata dst) external view returns (bytes memory) {
        return Bls.hashToG2(message, dst);
    }

    function isCompressedG1(bytes calldata compressed, bytes calldata point) external pure returns (bool) {
        return Bls.isCompressedG1(compressed, point);
    }
}
