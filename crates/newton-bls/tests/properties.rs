//! Property tests: tampering breaks verification; aggregates need exactly their signers; our
//! single-thread pairing check decides as blst's own `verify` does.

use newton_bls::{
    aggregate_signatures, aggregate_verify, batch_verify, fast_aggregate_verify, SecretKey,
    Signature,
};
use proptest::prelude::*;

fn key(ikm: [u8; 32]) -> SecretKey {
    SecretKey::from_ikm(&ikm).expect("32-byte IKM")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_tampered_signature_byte_fails(ikm in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..64),
                                         index in 0usize..96, flip in 1u8..=255) {
        let sk = key(ikm);
        let mut bytes = sk.sign(&msg).to_bytes();
        bytes[index] ^= flip;
        // Either the bytes no longer decode to a G2 subgroup point, or the point does not verify.
        if let Ok(sig) = Signature::from_bytes(&bytes) {
            prop_assert!(!sig.verify(&sk.public_key(), &msg));
        }
    }

    #[test]
    fn verify_decides_as_blst_does(ikms in any::<[[u8; 32]; 2]>(), msgs in any::<[[u8; 8]; 2]>(),
                                   key_index in 0usize..2, msg_index in 0usize..2) {
        let sig = key(ikms[0]).sign(&msgs[0]);
        let (pk, msg) = (key(ikms[key_index]).public_key(), &msgs[msg_index]);
        let blst_pk = blst::min_pk::PublicKey::from_bytes(&pk.to_bytes()).expect("a valid key");
        let blst_sig = blst::min_pk::Signature::from_bytes(&sig.to_bytes()).expect("a valid signature");
        let blst_says = blst_sig.verify(true, msg, newton_bls::SIG_DST, &[], &blst_pk, true) == blst::BLST_ERROR::BLST_SUCCESS;
        prop_assert_eq!(sig.verify(&pk, msg), blst_says);
        prop_assert_eq!(blst_says, key_index == 0 && msg_index == 0 || ikms[0] == ikms[key_index] && msgs[0] == *msg);
    }

    #[test]
    fn any_tampered_message_byte_fails(ikm in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 1..64),
                                       index in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let sk = key(ikm);
        let sig = sk.sign(&msg);
        prop_assert!(sig.verify(&sk.public_key(), &msg));
        let mut tampered = msg.clone();
        tampered[index.index(msg.len())] ^= flip;
        prop_assert!(!sig.verify(&sk.public_key(), &tampered));
        let mut longer = msg.clone();
        longer.push(0);
        prop_assert!(!sig.verify(&sk.public_key(), &longer));
    }

    #[test]
    fn aggregate_needs_exactly_its_signers(ikms in proptest::collection::vec(any::<[u8; 32]>(), 1..8),
                                           outsider in any::<[u8; 32]>(), swap in any::<prop::sample::Index>(),
                                           msg in proptest::collection::vec(any::<u8>(), 0..64)) {
        let sks: Vec<SecretKey> = ikms.iter().copied().map(key).collect();
        let mut pks: Vec<_> = sks.iter().map(SecretKey::public_key).collect();
        let sigs: Vec<Signature> = sks.iter().map(|sk| sk.sign(&msg)).collect();
        let aggregate = aggregate_signatures(&sigs).expect("non-empty");
        prop_assert!(fast_aggregate_verify(&pks, &msg, &aggregate));

        let outsider = key(outsider);
        prop_assume!(!pks.contains(&outsider.public_key()));
        let i = swap.index(pks.len());
        // The outsider's key in place of signer i…
        let honest = std::mem::replace(&mut pks[i], outsider.public_key());
        prop_assert!(!fast_aggregate_verify(&pks, &msg, &aggregate));
        pks[i] = honest;
        // …or the outsider's signature in place of signer i's.
        let mut forged = sigs.clone();
        forged[i] = outsider.sign(&msg);
        prop_assert!(!fast_aggregate_verify(&pks, &msg, &aggregate_signatures(&forged).expect("non-empty")));
        // A signer left out of the key set.
        if pks.len() > 1 {
            prop_assert!(!fast_aggregate_verify(&pks[1..], &msg, &aggregate));
        }
    }

    #[test]
    fn distinct_messages_verify_together_and_fail_tampered(ikms in proptest::collection::vec(any::<[u8; 32]>(), 1..6),
                                                           tamper in any::<prop::sample::Index>()) {
        let sks: Vec<SecretKey> = ikms.iter().copied().map(key).collect();
        let pks: Vec<_> = sks.iter().map(SecretKey::public_key).collect();
        let mut msgs: Vec<Vec<u8>> = (0..sks.len()).map(|i| format!("task {i}").into_bytes()).collect();
        let sigs: Vec<Signature> = sks.iter().zip(&msgs).map(|(sk, m)| sk.sign(m)).collect();
        let aggregate = aggregate_signatures(&sigs).expect("non-empty");
        let items = |msgs: &[Vec<u8>]| -> Vec<_> {
            pks.iter().zip(msgs).zip(&sigs).map(|((pk, m), s)| (*pk, m.clone(), *s)).collect()
        };
        prop_assert!(aggregate_verify(&pks, &msgs, &aggregate));
        prop_assert!(batch_verify(&items(&msgs)));
        let i = tamper.index(msgs.len());
        msgs[i].push(b'!');
        prop_assert!(!aggregate_verify(&pks, &msgs, &aggregate));
        prop_assert!(!batch_verify(&items(&msgs)));
    }
}
