//! Raw-crate baseline for bench/bls.bench.mjs: times the operations the TS suite times, from
//! bytes to bytes as the TS API does, and prints one JSON line of ns per operation.
//!
//! Usage: bench_bls <ms per row>
//! Keys and message are the ones the TS suite builds: secret key i is KeyGen over
//! IKM = u32_be(i) ‖ 28 × 0x42, and every key signs the same 32-byte message 0, 1, …, 31.

use newton_bls::{aggregate_signatures, fast_aggregate_verify, PublicKey, SecretKey, Signature};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Same allocator as the napi addon, so the rows compare like with like.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 4] = [4, 16, 100, 1000];

fn main() {
    let budget: u64 = std::env::args()
        .nth(1)
        .and_then(|ms| ms.parse().ok())
        .expect("usage: bench_bls <ms per row>");
    let budget = Duration::from_millis(budget);
    let msg: Vec<u8> = (0..32).collect();
    let sks: Vec<SecretKey> = (0..1000u32)
        .map(|i| {
            let mut ikm = [0x42u8; 32];
            ikm[..4].copy_from_slice(&i.to_be_bytes());
            SecretKey::from_ikm(&ikm).expect("32-byte IKM")
        })
        .collect();
    let pks: Vec<[u8; 48]> = sks.iter().map(|sk| sk.public_key().to_bytes()).collect();
    let sigs: Vec<[u8; 96]> = sks.iter().map(|sk| sk.sign(&msg).to_bytes()).collect();

    let aggregate = |n: usize| {
        let parsed: Vec<Signature> = sigs[..n]
            .iter()
            .map(|s| Signature::from_bytes(s).expect("sig"))
            .collect();
        aggregate_signatures(&parsed).expect("non-empty").to_bytes()
    };
    let fast_verify = |n: usize, agg: &[u8]| {
        let parsed: Vec<PublicKey> = pks[..n]
            .iter()
            .map(|p| PublicKey::from_bytes(p).expect("pk"))
            .collect();
        fast_aggregate_verify(&parsed, &msg, &Signature::from_bytes(agg).expect("agg"))
    };
    assert!(fast_verify(4, &aggregate(4)), "the aggregate of 4 verifies");

    let sign = time(budget, || {
        black_box(sks[0].sign(black_box(&msg)).to_bytes());
    });
    let verify = time(budget, || {
        let pk = PublicKey::from_bytes(&pks[0]).expect("pk");
        assert!(Signature::from_bytes(&sigs[0])
            .expect("sig")
            .verify(&pk, black_box(&msg)));
    });
    let rows = |f: &dyn Fn(usize)| {
        SIZES
            .map(|n| format!(r#""{n}":{:.0}"#, time(budget, || f(n))))
            .join(",")
    };
    let agg = rows(&|n| {
        black_box(aggregate(n));
    });
    let agg_fav = rows(&|n| assert!(fast_verify(n, &aggregate(n))));
    println!(
        r#"{{"sign_ns":{sign:.0},"verify_ns":{verify:.0},"aggregate_ns":{{{agg}}},"aggregate_fast_verify_ns":{{{agg_fav}}},"aggregate4":"0x{}"}}"#,
        hex::encode(aggregate(4))
    );
}

/// Mean ns per call of `op` over `budget` (at least 5 calls) after one warmup call.
fn time(budget: Duration, mut op: impl FnMut()) -> f64 {
    op();
    let start = Instant::now();
    let mut calls = 0u32;
    while calls < 5 || start.elapsed() < budget {
        op();
        calls += 1;
    }
    start.elapsed().as_nanos() as f64 / f64::from(calls)
}
