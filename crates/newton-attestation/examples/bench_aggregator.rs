//! Raw-crate baseline for bench/attestation.bench.mjs: the aggregator path for 100 operators
//! over one digest, as the TS suite runs it, printing one JSON line of ns per run.
//!
//! Usage: bench_aggregator <runs>
//! Operator i (1..=100) has the secret key 32 × byte i and stake 100 in quorum 0; all sign the
//! digest 0, 1, …, 31 beforehand (signing is not timed). `quorum`: a new aggregator at 40% and
//! `add` in operator order until it returns the certificate (the 40th signature); `all`: a new
//! aggregator and `aggregate` of all 100. Each path runs on 96-byte compressed shares and on the
//! 192-byte uncompressed shares operators send. CPU time comes from /proc/self/schedstat (Linux, ns).

use alloy_primitives::{keccak256, B256, U256};
use newton_attestation::{Aggregator, OperatorRegistry, QuorumThreshold};
use newton_bls::SecretKey;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

/// Same allocator as the napi addon, so the rows compare like with like.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const OPERATORS: u8 = 100;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("usage: bench_aggregator <runs>");
    let digest = B256::from(std::array::from_fn::<u8, 32, _>(|i| i as u8));
    let mut registry = OperatorRegistry::new();
    let mut signatures = Vec::new();
    for i in 1..=OPERATORS {
        let sk = SecretKey::from_bytes(&[i; 32]).expect("a scalar below the group order");
        let pk = sk.public_key().to_bytes();
        let id = keccak256(pk);
        let stake = BTreeMap::from([(0, U256::from(100))]);
        registry
            .register(id, &pk, &sk.prove_possession().to_bytes(), stake)
            .expect("valid PoP");
        let signature = sk.sign(digest.as_slice());
        signatures.push((
            id,
            signature.to_bytes().to_vec(),
            signature.to_uncompressed_bytes().to_vec(),
        ));
    }
    let aggregator = || Aggregator::new(&registry, digest, &[0], QuorumThreshold::DEFAULT).unwrap();

    let quorum = |uncompressed: bool| {
        let mut a = aggregator();
        let signed = signatures.iter().position(|(id, compressed, full)| {
            a.add(*id, if uncompressed { full } else { compressed })
                .unwrap()
                .is_some()
        });
        assert_eq!(
            signed,
            Some(39),
            "the 40th of 100 equal signatures reaches 40%"
        );
    };
    let all = |uncompressed: bool| {
        let shares = signatures.iter().map(|(id, compressed, full)| {
            (
                *id,
                if uncompressed {
                    &full[..]
                } else {
                    &compressed[..]
                },
            )
        });
        let certificate = aggregator().aggregate(shares).unwrap();
        assert_eq!(black_box(certificate).signers.len(), usize::from(OPERATORS));
    };

    let rows = [
        ("quorum_compressed", time(runs, || quorum(false))),
        ("quorum_uncompressed", time(runs, || quorum(true))),
        ("all_compressed", time(runs, || all(false))),
        ("all_uncompressed", time(runs, || all(true))),
    ];
    let fields: Vec<String> = rows
        .iter()
        .map(|(name, t)| {
            format!(
                r#""{name}":{{"mean_ns":{:.0},"p50_ns":{:.0},"cpu_ns":{:.0}}}"#,
                t.mean, t.p50, t.cpu
            )
        })
        .collect();
    println!(
        r#"{{"operators":{OPERATORS},"runs":{runs},{}}}"#,
        fields.join(",")
    );
}

struct Timing {
    mean: f64,
    p50: f64,
    cpu: f64,
}

/// Wall ns per run (mean and median) and CPU ns per run, after `runs / 10` warmup runs.
fn time(runs: usize, mut run: impl FnMut()) -> Timing {
    (0..runs / 10).for_each(|_| run());
    let cpu_start = cpu_ns();
    let mut wall: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64
        })
        .collect();
    let cpu = (cpu_ns() - cpu_start) / runs as f64;
    wall.sort_by(f64::total_cmp);
    Timing {
        mean: wall.iter().sum::<f64>() / runs as f64,
        p50: wall[runs / 2],
        cpu,
    }
}

/// CPU time of this (single-threaded) process in ns: the first field of /proc/self/schedstat.
fn cpu_ns() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/schedstat").expect("Linux /proc");
    stat.split_whitespace().next().and_then(|ns| ns.parse().ok()).expect("schedstat run time")
}
