//! RFC 9180 A.2 (Base, X25519 / HKDF-SHA256 / ChaCha20-Poly1305) through the crate's suite.

use hpke::rand_core::{TryCryptoRng, TryRng};
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use newton_privacy::suite::{Aead, EncappedKey, Kdf, Kem, PrivateKey, INFO};
use newton_privacy::RecipientKeyPair;
use serde_json::Value;
use std::convert::Infallible;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test/vectors/hpke/rfc9180.json"
);

/// Hands out the vector's `ikmE`, so `setup_sender_with_rng` derives the vector's ephemeral key.
struct Replay(Vec<u8>);

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!("DHKEM draws only fill_bytes")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unreachable!("DHKEM draws only fill_bytes")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert_eq!(dst.len(), self.0.len(), "ikmE length");
        dst.copy_from_slice(&self.0);
        Ok(())
    }
}
impl TryCryptoRng for Replay {}

fn bytes(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(v[key].as_str().unwrap_or_else(|| panic!("{key} missing"))).expect(key)
}

fn suite_sets() -> Vec<Value> {
    let all: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(VECTORS).expect("read vectors"))
            .expect("json");
    all.into_iter()
        .filter(|v| v["mode"] == 0 && v["kem_id"] == 0x20 && v["kdf_id"] == 1 && v["aead_id"] == 3)
        .collect()
}

#[test]
fn rfc9180_a2_base_vectors() {
    let sets = suite_sets();
    assert!(!sets.is_empty(), "no A.2 Base vector set");
    let (mut encryptions, mut exports) = (0, 0);
    for v in &sets {
        assert!(
            !bytes(v, "info").is_empty(),
            "vector info is non-empty; we still pass it through"
        );
        // Recipient key: DeriveKeyPair(ikmR) and RecipientKeyPair::from_secret_bytes(skRm).
        let (sk_r, pk_r) = Kem::derive_keypair(&bytes(v, "ikmR"));
        // hpke serializes secrets clamped (RFC 9180 §7.1.2); the vector's skRm is not, so compare keys.
        assert!(sk_r == PrivateKey::from_bytes(&bytes(v, "skRm")).expect("skRm"));
        assert_eq!(pk_r.to_bytes().as_slice(), bytes(v, "pkRm"));
        let sk_rm: [u8; 32] = bytes(v, "skRm").try_into().expect("32");
        let pair = RecipientKeyPair::from_secret_bytes(&sk_rm).expect("skRm");
        assert_eq!(pair.public_key_bytes().as_slice(), bytes(v, "pkRm"));
        let again =
            RecipientKeyPair::from_secret_bytes(&pair.secret_bytes()).expect("clamped secret");
        assert_eq!(again.public_key_bytes(), pair.public_key_bytes());
        // Ephemeral key: DeriveKeyPair(ikmE) reproduces skEm / enc.
        let (sk_e, pk_e) = Kem::derive_keypair(&bytes(v, "ikmE"));
        assert!(sk_e == PrivateKey::from_bytes(&bytes(v, "skEm")).expect("skEm"));
        assert_eq!(pk_e.to_bytes().as_slice(), bytes(v, "pkEm"));

        let info = bytes(v, "info");
        let (enc, mut sender) = hpke::setup_sender_with_rng::<Aead, Kdf, Kem>(
            &OpModeS::Base,
            &pk_r,
            &info,
            &mut Replay(bytes(v, "ikmE")),
        )
        .expect("setup_sender");
        assert_eq!(enc.to_bytes().as_slice(), bytes(v, "enc"));
        let mut receiver =
            hpke::setup_receiver::<Aead, Kdf, Kem>(&OpModeR::Base, &sk_r, &enc, &info)
                .expect("receiver");

        let mut seq = 0u64;
        for e in v["encryptions"].as_array().expect("encryptions") {
            let target = e["sequence_number"].as_u64().expect("sequence_number");
            let (pt, aad) = (bytes(e, "pt"), bytes(e, "aad"));
            while seq < target {
                let filler = sender.seal(&pt, &aad).expect("seal");
                receiver.open(&filler, &aad).expect("open filler");
                seq += 1;
            }
            let ct = sender.seal(&pt, &aad).expect("seal");
            assert_eq!(
                hex::encode(&ct),
                hex::encode(bytes(e, "ct")),
                "ct at seq {target}"
            );
            assert_eq!(receiver.open(&ct, &aad).expect("open"), pt);
            seq += 1;
            encryptions += 1;
        }
        for x in v["exports"].as_array().expect("exports") {
            let len = x["L"].as_u64().expect("L") as usize;
            let (mut out_s, mut out_r) = (vec![0u8; len], vec![0u8; len]);
            sender
                .export(&bytes(x, "exporter_context"), &mut out_s)
                .expect("export");
            receiver
                .export(&bytes(x, "exporter_context"), &mut out_r)
                .expect("export");
            assert_eq!(out_s, bytes(x, "exported_value"));
            assert_eq!(out_r, out_s);
            exports += 1;
        }
        // The single-shot open the envelope uses agrees with the vector's first encryption.
        let first = &v["encryptions"][0];
        let sk = PrivateKey::from_bytes(&sk_rm).expect("sk");
        let enc = EncappedKey::from_bytes(&bytes(v, "enc")).expect("enc");
        let pt = hpke::single_shot_open::<Aead, Kdf, Kem>(
            &OpModeR::Base,
            &sk,
            &enc,
            &info,
            &bytes(first, "ct"),
            &bytes(first, "aad"),
        )
        .expect("single-shot open");
        assert_eq!(pt, bytes(first, "pt"));
    }
    assert_eq!((sets.len(), encryptions, exports), (1, 6, 3));
    assert!(INFO.is_empty());
}
