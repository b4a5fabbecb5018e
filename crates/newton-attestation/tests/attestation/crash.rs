//! Crash safety: a child spends a stream of keys and reports each after its commit; it is
//! killed with SIGKILL mid-stream, and every reported key must stay spent.
#![cfg(unix)]

use alloy_primitives::{keccak256, B256};
use newton_attestation::SpentStore;
use newton_core::ErrorCode;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set (to `<first key>:<db path>`) only in the child process.
const CHILD: &str = "NEWTON_ATTESTATION_SPEND_CHILD";
const CYCLES: u64 = 50;
/// Keys of cycle `c` start at `c * KEYS_PER_CYCLE`, so no cycle meets another's keys.
const KEYS_PER_CYCLE: u64 = 1_000_000;
/// A child left running (its parent gone) stops by itself after this long.
const CHILD_LIFETIME: Duration = Duration::from_secs(30);

fn key(i: u64) -> B256 {
    keccak256(i.to_be_bytes())
}

/// The child: spends keys from the first one on, printing `SPENT <i>` after each commit.
#[test]
#[ignore = "run by kill_9_mid_stream_never_reopens_a_replay as its child process"]
fn spend_stream_child() {
    let Ok(spec) = std::env::var(CHILD) else { return };
    let (first, path) = spec.split_once(':').unwrap();
    let first: u64 = first.parse().unwrap();
    let store = SpentStore::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    let started = Instant::now();
    for i in first..first + KEYS_PER_CYCLE {
        assert!(store.spend(key(i), key(i)).unwrap(), "key {i} was already spent");
        writeln!(out, "SPENT {i}").unwrap();
        out.flush().unwrap();
        if started.elapsed() > CHILD_LIFETIME {
            break;
        }
    }
}

#[test]
fn kill_9_mid_stream_never_reopens_a_replay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spent.db");
    let exe = std::env::current_exe().unwrap();
    let mut acked: Vec<u64> = Vec::new();
    let started = Instant::now();
    for cycle in 0..CYCLES {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash::spend_stream_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, format!("{}:{}", cycle * KEYS_PER_CYCLE, path.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let parse =
            |line: std::io::Result<String>| line.ok()?.strip_prefix("SPENT ")?.parse::<u64>().ok();
        // Let it commit a few keys (1..=5, varying by cycle), then kill it after a varying pause.
        let mut this_cycle = Vec::new();
        while this_cycle.len() < 1 + (cycle % 5) as usize {
            match lines.next() {
                Some(line) => this_cycle.extend(parse(line)),
                None => break,
            }
        }
        std::thread::sleep(Duration::from_micros(cycle * 7_919 % 4_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Lines already in the pipe were printed after their commit: they count as acked.
        this_cycle.extend(lines.filter_map(parse));
        assert!(!this_cycle.is_empty(), "cycle {cycle}: the child reported no spend");
        acked.extend(this_cycle);

        let store = SpentStore::open(&path).unwrap();
        store.integrity_check().unwrap();
        for &i in &acked {
            let err = store.consume(key(i), key(i)).unwrap_err();
            assert_eq!(err.code, ErrorCode::AttestationAlreadySpent, "cycle {cycle}: key {i}");
        }
    }
    eprintln!("{CYCLES} kill -9 cycles, {} acked spends, {:?}", acked.len(), started.elapsed());
}
