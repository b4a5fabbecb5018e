//! Raw-crate baseline for bench/attestation.bench.mjs: the aggregator path for 100 operators
//! over one digest, as the TS suite runs it, printing one JSON line of ns per run.
//!
//! Usage: bench_aggregator <runs>
//! Operator i (1..=100) has the secret key 32 × byte i and stake 100 in quorum 0; all sign the
//! digest 0, 1, …, 31 beforehand (signing is not timed). `add_until_quorum`: a new aggregator at
//! 40% and `add` in operator order until it returns the certificate (the 40th signature);
//! `aggregate_all`: a new aggregator and `aggregate` of all 100. CPU time comes from
//! /proc/self/stat (Linux, 10 ms ticks, summed over all runs).

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
        registry.register(id, &pk, &sk.prove_possession().to_bytes(), stake).expect("valid PoP");
        signatures.push((id, sk.sign(digest.as_slice()).to_bytes()));
    }
    let aggregator = || Aggregator::new(&registry, digest, &[0], QuorumThreshold::DEFAULT).unwrap();

    let add_until_quorum = || {
        let mut a = aggregator();
        let signed = signatures.iter().position(|(id, sig)| a.add(*id, sig).unwrap().is_some());
        assert_eq!(signed, Some(39), "the 40th of 100 equal signatures reaches 40%");
    };
    let aggregate_all = || {
        let certificate =
            aggregator().aggregate(signatures.iter().map(|(id, sig)| (*id, &sig[..]))).unwrap();
        assert_eq!(black_box(certificate).signers.len(), usize::from(OPERATORS));
    };

    let add = time(runs, add_until_quorum);
    let all = time(runs, aggregate_all);
    println!(
        r#"{{"operators":{OPERATORS},"runs":{runs},"add_until_quorum_ns":{:.0},"add_until_quorum_p50_ns":{:.0},"add_until_quorum_cpu_ns":{:.0},"aggregate_all_ns":{:.0},"aggregate_all_p50_ns":{:.0},"aggregate_all_cpu_ns":{:.0}}}"#,
        add.mean, add.p50, add.cpu, all.mean, all.p50, all.cpu
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
    Timing { mean: wall.iter().sum::<f64>() / runs as f64, p50: wall[runs / 2], cpu }
}

/// User + system CPU time of this process: /proc/self/stat fields 14 and 15, in 1/100 s ticks.
fn cpu_ns() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("Linux /proc");
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .expect("stat has a comm field")
        .1
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    (fields[11] + fields[12]) * 1e7
}
