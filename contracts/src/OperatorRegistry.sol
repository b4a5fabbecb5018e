// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

import {Bls} from "./Bls.sol";

/// Operators' BLS12-381 G1 keys and stakes in one quorum, admitted by the owner only with a valid
/// proof of possession (the rogue-key defence that makes one aggregate check sound), and the
/// quorum threshold. Keeps the sum of all keys so a certificate's aggregate key is that sum minus
/// its non-signers. Operators are never removed, so indices are stable.
contract OperatorRegistry {
    /// A certificate names its non-signers by index and brings their keys; the registry keeps a
    /// 20-byte hash of each key beside its stake, so a non-signer costs one storage read.
    struct Operator {
        bytes20 keyHash;
        uint96 stake;
        bytes32 id;
    }

    address public owner;
    /// Percentage of the total stake that must sign, 1–100.
    uint8 public quorumThresholdPercentage;
    uint256 public totalStake;
    /// The sum of all keys: x‖y, 48 bytes each, packed in three words.
    bytes32[3] internal aggregateKey;
    Operator[] internal operators;
    mapping(bytes32 id => bool) public isRegistered;
    mapping(bytes32 keyHash => bool) internal keyTaken;

    event OperatorRegistered(uint32 indexed index, bytes32 indexed id, bytes publicKey, uint96 stake);
    event QuorumThresholdSet(uint8 percentage);

    error OnlyOwner();
    error InvalidQuorumThresholdPercentage();
    error OperatorAlreadyRegistered(bytes32 id);
    error PublicKeyAlreadyRegistered();
    error InvalidPublicKey();
    error InvalidProofOfPossession();
    error ZeroStake();
    error InvalidNonSigners();

    constructor(uint8 thresholdPercentage) {
        owner = msg.sender;
        _setThreshold(thresholdPercentage);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert OnlyOwner();
        _;
    }

    function setQuorumThresholdPercentage(uint8 percentage) external onlyOwner {
        _setThreshold(percentage);
    }

    /// Registers an operator: `publicKey` is the 48-byte compressed key (what the proof signs),
    /// `publicKeyG1` the same point in EIP-2537 form, `proofOfPossession` the key's PopProve in
    /// EIP-2537 G2 form.
    function registerOperator(
        bytes32 id,
        bytes calldata publicKey,
        bytes calldata publicKeyG1,
        bytes calldata proofOfPossession,
        uint96 stake
    ) external onlyOwner {
        if (isRegistered[id]) revert OperatorAlreadyRegistered(id);
        if (stake == 0) revert ZeroStake();
        if (!Bls.isCompressedG1(publicKey, publicKeyG1) || Bls.isIdentity(publicKeyG1)) revert InvalidPublicKey();
        bytes32 keyHash = keccak256(publicKey);
        if (keyTaken[keyHash]) revert PublicKeyAlreadyRegistered();
        if (!Bls.verify(publicKeyG1, publicKey, proofOfPossession, Bls.POP_DST)) revert InvalidProofOfPossession();

        aggregateKey = pack(operators.length == 0 ? publicKeyG1 : _add(unpack(aggregateKey), publicKeyG1));
        isRegistered[id] = true;
        keyTaken[keyHash] = true;
        totalStake += stake;
        operators.push(Operator({keyHash: bytes20(keccak256(publicKeyG1)), stake: stake, id: id}));
        emit OperatorRegistered(uint32(operators.length - 1), id, publicKey, stake);
    }

    function operatorCount() external view returns (uint256) {
        return operators.length;
    }

    /// Operator ids in registry order: a certificate names its non-signers by these indices.
    function operatorIds() external view returns (bytes32[] memory ids) {
        ids = new bytes32[](operators.length);
        for (uint256 i = 0; i < ids.length; i++) ids[i] = operators[i].id;
    }

    function operator(uint32 index) external view returns (bytes32 id, bytes20 keyHash, uint96 stake) {
        Operator storage op = operators[index];
        return (op.id, op.keyHash, op.stake);
    }

    /// The signers' aggregate key and stake, the total stake and the threshold, for one
    /// certificate check: all keys minus the non-signers', whose registry indices are strictly
    /// ascending and whose EIP-2537 keys are `nonSignerKeys`, 128 bytes each in the same order.
    function signers(uint32[] calldata nonSignerIndices, bytes calldata nonSignerKeys)
        external
        view
        returns (bytes memory aggregate, uint256 signedStake, uint256 total, uint8 thresholdPercentage)
    {
        total = totalStake;
        signedStake = total;
        aggregate = unpack(aggregateKey);
        uint256 count = nonSignerIndices.length;
        if (nonSignerKeys.length != count * 128) revert InvalidNonSigners();
        if (count > 0) {
            bytes memory missing;
            uint256 registered = operators.length;
            for (uint256 i = 0; i < count; i++) {
                uint32 index = nonSignerIndices[i];
                if (index >= registered || (i > 0 && index <= nonSignerIndices[i - 1])) revert InvalidNonSigners();
                Operator storage op = operators[index];
                bytes memory key = nonSignerKeys[i * 128:(i + 1) * 128];
                if (bytes20(keccak256(key)) != op.keyHash) revert InvalidNonSigners();
                signedStake -= op.stake;
                missing = i == 0 ? key : _add(missing, key);
            }
            aggregate = _add(aggregate, Bls.negateG1(missing));
        }
        thresholdPercentage = quorumThresholdPercentage;
    }

    function _add(bytes memory a, bytes memory b) private view returns (bytes memory sum) {
        bool ok;
        (ok, sum) = Bls.addG1(a, b);
        if (!ok) revert Bls.PrecompileFailed();
    }

    function _setThreshold(uint8 percentage) private {
        if (percentage == 0 || percentage > 100) revert InvalidQuorumThresholdPercentage();
        quorumThresholdPercentage = percentage;
        emit QuorumThresholdSet(percentage);
    }

    /// EIP-2537 G1 (four words: 0‖x_hi, x_lo, 0‖y_hi, y_lo) → x‖y in three words.
    function pack(bytes memory point) private pure returns (bytes32[3] memory words) {
        uint256 xHi;
        uint256 xLo;
        uint256 yHi;
        uint256 yLo;
        assembly ("memory-safe") {
            xHi := mload(add(point, 32))
            xLo := mload(add(point, 64))
            yHi := mload(add(point, 96))
            yLo := mload(add(point, 128))
        }
        words[0] = bytes32((xHi << 128) | (xLo >> 128));
        words[1] = bytes32((xLo << 128) | yHi);
        words[2] = bytes32(yLo);
    }

    function unpack(bytes32[3] storage words) private view returns (bytes memory) {
        uint256 w0 = uint256(words[0]);
        uint256 w1 = uint256(words[1]);
        return abi.encode(w0 >> 128, (w0 << 128) | (w1 >> 128), w1 & type(uint128).max, uint256(words[2]));
    }
}
