// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// BLS12-381 signatures, min-pk (keys in G1, signatures in G2), over the EIP-2537 precompiles.
/// Points are in EIP-2537 form: an Fp element is 64 bytes (16 zero bytes, then 48 big-endian),
/// G1 is x‖y (128 bytes), G2 is x.c0‖x.c1‖y.c0‖y.c1 (256 bytes), the identity all zeros.
/// The pairing precompile rejects points off the curve or outside the prime-order subgroup;
/// `verify` and `fastAggregateVerify` then answer false, as the IETF draft's do for bad input.
library Bls {
    // Precompiles used (by address, in assembly): MODEXP 0x05, G1ADD 0x0b, G2ADD 0x0d,
    // PAIRING_CHECK 0x0f, MAP_FP2_TO_G2 0x11; sha256 is 0x02.

    /// EIP-2537 pairing gas for two pairs: 32600·2 + 37700. A failing precompile burns what it is
    /// given, so it gets exactly that.
    uint256 internal constant PAIRING_2_GAS = 102_900;

    /// The field modulus p as its top 16 and low 32 bytes.
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;
    /// (p − 1) / 2: a compressed point's sign bit says y > this.
    uint256 internal constant HALF_P_HI = 0x0d0088f51cbff34d258dd3db21a5d66b;
    uint256 internal constant HALF_P_LO = 0xb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555;

    /// −G1 generator (x, p − y), for e(pk, H(m)) · e(−g1, σ) = 1.
    uint256 internal constant NEG_G1_X_HI = 0x17f1d3a73197d7942695638c4fa9ac0f;
    uint256 internal constant NEG_G1_X_LO = 0xc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb;
    uint256 internal constant NEG_G1_Y_HI = 0x114d1d6855d545a8aa7d76c8cf2e21f2;
    uint256 internal constant NEG_G1_Y_LO = 0x67816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca;

    /// The signature DST of the POP ciphersuite (crates/newton-bls/src/dst.rs).
    bytes internal constant SIG_DST = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    /// The proof-of-possession DST: a proof signs the 48-byte compressed key under it.
    bytes internal constant POP_DST = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    /// A precompile refused well-formed input or is missing (a chain before Prague).
    error PrecompileFailed();

    /// CoreVerify: whether `signature` signs `message` under `publicKey` (G1, 128 bytes) with `dst`.
    function verify(bytes memory publicKey, bytes memory message, bytes memory signature, bytes memory dst)
        internal
        view
        returns (bool)
    {
        if (publicKey.length != 128 || signature.length != 256 || isIdentity(publicKey)) return false;
        return pairingCheck(publicKey, hashToG2(message, dst), signature);
    }

    /// FastAggregateVerify: one signature by every key over one message (sound only for keys whose
    /// proofs of possession were checked). False for no keys or any malformed key.
    function fastAggregateVerify(bytes[] memory publicKeys, bytes memory message, bytes memory signature)
        internal
        view
        returns (bool)
    {
        if (publicKeys.length == 0) return false;
        bytes memory sum = publicKeys[0];
        for (uint256 i = 0; i < publicKeys.length; i++) {
            if (publicKeys[i].length != 128 || isIdentity(publicKeys[i])) return false;
            if (i == 0) continue;
            bool ok;
            (ok, sum) = addG1(sum, publicKeys[i]);
            if (!ok) return false;
        }
        return verify(sum, message, signature, SIG_DST);
    }

    /// e(publicKey, hashPoint) · e(−g1, signature) == 1, false when the precompile refuses a point.
    function pairingCheck(bytes memory publicKey, bytes memory hashPoint, bytes memory signature)
        internal
        view
        returns (bool valid)
    {
        bytes memory input = bytes.concat(publicKey, hashPoint, negG1Generator(), signature);
        assembly ("memory-safe") {
            let out := mload(0x40)
            let ok := staticcall(PAIRING_2_GAS, 0x0f, add(input, 32), 768, out, 32)
            valid := and(and(ok, eq(returndatasize(), 32)), eq(mload(out), 1))
        }
    }

    /// a + b in G1; `ok` false when either is not a point on the curve.
    function addG1(bytes memory a, bytes memory b) internal view returns (bool ok, bytes memory sum) {
        bytes memory input = bytes.concat(a, b);
        sum = new bytes(128);
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x0b, add(input, 32), 256, add(sum, 32), 128)
            ok := and(ok, eq(returndatasize(), 128))
        }
    }

    /// −P for a G1 point: (x, p − y); the identity stays the identity.
    function negateG1(bytes memory point) internal pure returns (bytes memory negated) {
        negated = bytes.concat(point);
        if (isIdentity(point)) return negated;
        assembly ("memory-safe") {
            let yHi := mload(add(point, 96))
            let yLo := mload(add(point, 128))
            let borrow := lt(P_LO, yLo)
            mstore(add(negated, 96), sub(sub(P_HI, yHi), borrow))
            mstore(add(negated, 128), sub(P_LO, yLo))
        }
    }

    function isIdentity(bytes memory point) internal pure returns (bool identity) {
        identity = true;
        for (uint256 i = 0; i < point.length; i += 32) {
            bytes32 word;
            assembly ("memory-safe") {
                word := mload(add(add(point, 32), i))
            }
            if (word != 0) return false;
        }
    }

    /// Whether `compressed` (48 bytes, ZCash flags) is the compressed form of the EIP-2537 G1
    /// `point`: the compression flag set, the infinity flag clear, the same x, and the sign flag
    /// equal to y > (p − 1) / 2. No square root: the point itself is checked by the pairing.
    function isCompressedG1(bytes memory compressed, bytes memory point) internal pure returns (bool) {
        if (compressed.length != 48 || point.length != 128) return false;
        uint256 head;
        uint256 tail;
        uint256 xHi;
        uint256 xLo;
        uint256 yHi;
        uint256 yLo;
        assembly ("memory-safe") {
            head := shr(128, mload(add(compressed, 32)))
            tail := mload(add(compressed, 48))
            xHi := mload(add(point, 32))
            xLo := mload(add(point, 64))
            yHi := mload(add(point, 96))
            yLo := mload(add(point, 128))
        }
        uint256 flags = head >> 125;
        if (flags & 4 == 0 || flags & 2 != 0) return false;
        if ((head & ((1 << 125) - 1)) != xHi || tail != xLo) return false;
        bool yLarger = yHi > HALF_P_HI || (yHi == HALF_P_HI && yLo > HALF_P_LO);
        return (flags & 1 == 1) == yLarger;
    }

    function negG1Generator() internal pure returns (bytes memory) {
        return abi.encode(NEG_G1_X_HI, NEG_G1_X_LO, NEG_G1_Y_HI, NEG_G1_Y_LO);
    }

    /// hash_to_curve for G2 (RFC 9380, BLS12381G2_XMD:SHA-256_SSWU_RO_): 256 uniform bytes,
    /// four Fp elements reduced by MODEXP, two MAP_FP2_TO_G2 (which clears the cofactor; clearing
    /// is linear, so the sum of the cleared points is the cleared sum), one G2ADD.
    function hashToG2(bytes memory message, bytes memory dst) internal view returns (bytes memory point) {
        bytes memory uniform = expandMessageXmd(message, dst);
        bytes memory elements = new bytes(256);
        point = new bytes(256);
        bool ok;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            // MODEXP input: |B| = 64, |E| = 1, |M| = 48, then B (64 bytes), E = 1, M = p.
            mstore(buf, 64)
            mstore(add(buf, 32), 1)
            mstore(add(buf, 64), 48)
            mstore8(add(buf, 160), 1)
            mstore(add(buf, 161), shl(128, P_HI))
            mstore(add(buf, 177), P_LO)
            ok := 1
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                let src := add(add(uniform, 32), mul(i, 64))
                mstore(add(buf, 96), mload(src))
                mstore(add(buf, 128), mload(add(src, 32)))
                ok := and(ok, staticcall(gas(), 0x05, buf, 209, add(add(elements, 48), mul(i, 64)), 48))
                ok := and(ok, eq(returndatasize(), 48))
            }
            // The two mapped points side by side at buf, then their sum.
            ok := and(ok, staticcall(gas(), 0x11, add(elements, 32), 128, buf, 256))
            ok := and(ok, staticcall(gas(), 0x11, add(elements, 160), 128, add(buf, 256), 256))
            ok := and(ok, staticcall(gas(), 0x0d, buf, 512, add(point, 32), 256))
            ok := and(ok, eq(returndatasize(), 256))
        }
        if (!ok) revert PrecompileFailed();
    }

    /// expand_message_xmd with SHA-256 (RFC 9380 §5.3.1) for 256 output bytes.
    function expandMessageXmd(bytes memory message, bytes memory dst) internal pure returns (bytes memory out) {
        require(dst.length <= 255, "DST too long");
        bytes memory dstPrime = bytes.concat(dst, bytes1(uint8(dst.length)));
        bytes32 b0 = sha256(bytes.concat(bytes32(0), bytes32(0), message, hex"010000", dstPrime));
        bytes32 bi = sha256(bytes.concat(b0, hex"01", dstPrime));
        out = new bytes(256);
        assembly ("memory-safe") {
            mstore(add(out, 32), bi)
        }
        for (uint256 i = 2; i <= 8; i++) {
            bi = sha256(bytes.concat(b0 ^ bi, bytes1(uint8(i)), dstPrime));
            assembly ("memory-safe") {
                mstore(add(out, mul(i, 32)), bi)
            }
        }
    }
}
