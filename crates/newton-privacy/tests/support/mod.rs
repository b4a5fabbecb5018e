//! What the store tests share: signing parties ([`party`]) and a real, throwaway PostgreSQL
//! server: initdb on a temporary directory, postgres on loopback and a free port (fsync off:
//! nothing in it outlives the run), one per test binary, started on first use, and a fresh
//! database per caller. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
//! user. A watchdog process stops it and removes its directory when the test binary exits (Rust
//! never drops statics). Binaries come from POSTGRES_BIN_DIR, else PATH, else the newest
//! /usr/lib/postgresql/<n>/bin; when there are none every test that needs the server fails with
//! the install command (never a skip).
#![allow(dead_code)]

pub mod party;

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const INSTALL: &str = "install the PostgreSQL server: `apt-get install postgresql` (Debian/Ubuntu), `brew install \
                       postgresql` (macOS), or set POSTGRES_BIN_DIR to a directory holding initdb and postgres";

pub struct PostgresServer {
    pub port: u16,
    admin: Mutex<postgres::Client>,
    made: AtomicUsize,
}

/// This test binary's server (started on first use).
pub fn server() -> &'static PostgresServer {
    static SERVER: OnceLock<PostgresServer> = OnceLock::new();
    SERVER.get_or_init(PostgresServer::start)
}

/// A fresh, empty database on this binary's server: `postgres://postgres@127.0.0.1:<port>/newton_<n>`.
pub fn fresh_database() -> String {
    server().create_database()
}

/// A plain client on `url`, for looking at or changing what the store wrote.
pub fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("connect to the test database")
}

impl PostgresServer {
    pub fn create_database(&self) -> String {
        let name = format!("newton_{}", self.made.fetch_add(1, Ordering::Relaxed) + 1);
        let mut admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create database");
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    fn start() -> Self {
        let bin = bin_dir()
            .unwrap_or_else(|| panic!("the PostgreSQL server binaries (initdb, postgres) were not found: {INSTALL}"));
        let user = run_as();
        let dir = std::env::temp_dir().join(format!("newton-privacy-postgres-{}-{}", std::process::id(), nanos()));
        fs::create_dir(&dir).expect("create the server directory");
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("chown the server directory");
        }
        let data = dir.join("data");
        let output = command(&bin.join("initdb"), &dir, user)
            .args(["-D", path(&data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            .output()
            .unwrap_or_else(|e| panic!("initdb: {e}: {INSTALL}"));
        if !output.status.success() {
            panic!("initdb failed: {}", tail(&String::from_utf8_lossy(&output.stderr)));
        }
        let (child, port) = launch(&bin.join("postgres"), &data, &dir, user);
        watch(child.id(), &dir);
        let admin = postgres::Client::connect(
            &format!("host=127.0.0.1 port={port} user=postgres dbname=postgres"),
            postgres::NoTls,
        )
        .expect("connect to the test server");
        Self { port, admin: Mutex::new(admin), made: AtomicUsize::new(0) }
    }
}

/// Starts postgres on a free loopback port, another try when the port was taken meanwhile;
/// returns once it accepts connections.
fn launch(bin: &Path, data: &Path, dir: &Path, user: Option<(u32, u32)>) -> (Child, u16) {
    for attempt in 1.. {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let log_path = dir.join(format!("postgres-{attempt}.log"));
        let log = fs::File::create(&log_path).expect("create the server log");
        let mut child = command(bin, dir, user)
            .args(["-D", path(data), "-p", &port.to_string(), "-k", path(dir), "-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}: {INSTALL}", bin.display()));
        let started = Instant::now();
        loop {
            let log = fs::read_to_string(&log_path).unwrap_or_default();
            if log.contains("database system is ready to accept connections") {
                return (child, port);
            }
            let exited = child.try_wait().expect("wait for postgres");
            if exited.is_some() || started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                let _ = child.wait();
                if attempt < 3 && (log.contains("could not bind") || log.contains("already in use")) {
                    break;
                }
                panic!("postgres did not start ({exited:?}): {}", tail(&log));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    unreachable!()
}

/// A process that waits for this test binary to exit, then stops postgres (fast shutdown,
/// SIGKILL after 5 s) and removes its directory.
fn watch(postgres: u32, dir: &Path) {
    const SCRIPT: &str = r#"while kill -0 "$1" 2>/dev/null; do sleep 0.2; done
kill -INT "$2" 2>/dev/null
i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
kill -KILL "$2" 2>/dev/null
rm -rf "$3""#;
    // Never waited for: it outlives this process by design.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args([
            "-c",
            SCRIPT,
            "newton-postgres-watchdog",
            &std::process::id().to_string(),
            &postgres.to_string(),
            path(dir),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the server's watchdog");
}

fn command(bin: &Path, dir: &Path, user: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(bin);
    command.current_dir(dir).env("LC_ALL", "C").env("LANG", "C").stdin(Stdio::null()).stdout(Stdio::null());
    if let Some((uid, gid)) = user {
        command.uid(uid).gid(gid);
    }
    command
}

/// POSTGRES_BIN_DIR, else the PATH entry, else the newest /usr/lib/postgresql/<n>/bin holding
/// initdb and postgres.
fn bin_dir() -> Option<PathBuf> {
    let has = |dir: &Path| ["initdb", "postgres"].iter().all(|bin| dir.join(bin).is_file());
    if let Some(dir) = std::env::var_os("POSTGRES_BIN_DIR") {
        return Some(PathBuf::from(dir)).filter(|d| has(d));
    }
    if let Some(dir) = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).find(|d| has(d))) {
        return Some(dir);
    }
    let mut versions: Vec<u32> = fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default();
    versions.sort_unstable();
    versions.iter().rev().map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"))).find(|d| has(d))
}

/// As root, the `postgres` user's (uid, gid); otherwise None (the current user).
fn run_as() -> Option<(u32, u32)> {
    if fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(1) != 0 {
        return None;
    }
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let line = passwd.lines().find(|l| l.starts_with("postgres:")).unwrap_or_else(|| {
        panic!("PostgreSQL will not run as root and there is no postgres user to run it as: `useradd --system postgres` (the postgresql package creates it)")
    });
    let fields: Vec<&str> = line.split(':').collect();
    Some((fields[2].parse().expect("uid"), fields[3].parse().expect("gid")))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

fn tail(text: &str) -> &str {
    let start = (text.len().saturating_sub(800)..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
    &text[start..]
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
