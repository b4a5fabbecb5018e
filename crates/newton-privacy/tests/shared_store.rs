//! Several handles on one store, as several gateways on one PostgreSQL database (and two
//! connections to one SQLite file): a record written through one is read and used through the
//! other, an authorization's nonce is spent once however many handles try it at once, concurrent
//! opens create the schema once beside the gateway's own tables, a database for another chain or
//! from a newer newton-engine is refused, and failures name the database without credentials.

mod support;

use alloy_primitives::{keccak256, Address, B256, U256};
use newton_core::ErrorCode;
use newton_policy::builtins::PrivateData;
use newton_policy::{CompileOptions, EvalRequest, Policy, PolicyModule};
use newton_privacy::authorization::{
    AcceptGrant, LinkIdentity, ProposeGrant, PublishData, RevokeGrant, UploadIdentity,
};
use newton_privacy::{GrantState, IdentityLink, Keyring, PrivacyStore, RecipientKeyPair, SecureEnvelope, TaskPrivacy};
use newton_types::hash::domain_id;
use serde_json::json;
use std::sync::{Arc, Barrier};
use support::party::{Party, DEADLINE};

const CHAIN: u64 = 11155111;
const BLACKLIST: &str = "newton.privacy.blacklist";

/// A SQLite file in `dir`, or a fresh database on this binary's PostgreSQL server.
fn location(postgres: bool, dir: &tempfile::TempDir) -> String {
    if postgres {
        support::fresh_database()
    } else {
        dir.path().join("privacy.db").to_str().expect("utf-8").to_owned()
    }
}

fn u(n: u64) -> U256 {
    U256::from(n)
}

fn seal(operator: &RecipientKeyPair, plaintext: &serde_json::Value, bound_to: Address) -> String {
    SecureEnvelope::seal(plaintext.to_string().as_bytes(), &operator.public_key_bytes(), bound_to, CHAIN)
        .expect("seal")
        .to_json()
}

/// `owner`'s upload of `envelope` for `kyc` at `nonce`, signed.
fn upload(store: &PrivacyStore, owner: &Party, envelope: &str, nonce: u64) -> newton_core::Result<B256> {
    let message = UploadIdentity {
        identityOwner: owner.address(),
        identityDomain: domain_id("kyc"),
        dataRefId: keccak256(envelope.as_bytes()),
        nonce: u(nonce),
        deadline: u(DEADLINE),
    };
    store.upload_identity(owner.address(), "kyc", envelope, &owner.sign(store, &message, nonce))
}

#[test]
fn sqlite_a_record_written_through_one_handle_is_read_and_used_through_the_other() {
    a_record_written_through_one_handle_is_read_and_used_through_the_other(false);
}

#[test]
fn postgres_a_record_written_through_one_handle_is_read_and_used_through_the_other() {
    a_record_written_through_one_handle_is_read_and_used_through_the_other(true);
}

fn a_record_written_through_one_handle_is_read_and_used_through_the_other(postgres: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = location(postgres, &dir);
    let (a, b) =
        (PrivacyStore::open(&at, CHAIN).expect("open a"), Arc::new(PrivacyStore::open(&at, CHAIN).expect("open b")));
    let operator = RecipientKeyPair::generate();
    let (owner, provider, client_owner) = (Party::new(1), Party::new(2), Party::new(3));
    let policy_client = Address::repeat_byte(0xc1);

    // Identity: uploaded on a, read on b, linked on b, resolved on a, used for a task on b.
    let envelope = seal(&operator, &json!({"status": "approved"}), owner.address());
    let data_ref = upload(&a, &owner, &envelope, 0).expect("upload on a");
    let stored = b.envelope(data_ref).expect("read on b");
    assert_eq!((stored.owner, stored.json.as_str()), (owner.address(), envelope.as_str()));
    assert_eq!(b.nonce(owner.address()).expect("nonce on b"), 1);
    let link =
        IdentityLink { owner: owner.address(), policy_client, user: owner.address(), domains: vec!["kyc".into()] };
    let message = LinkIdentity {
        identityOwner: owner.address(),
        policyClient: policy_client,
        clientUser: owner.address(),
        identityDomains: vec![domain_id("kyc")],
        nonce: u(1),
        deadline: u(DEADLINE),
    };
    b.link_identity(&link, &owner.sign(&b, &message, 1), None).expect("link on b");
    let linked = a.linked_identity(policy_client, owner.address()).expect("links on a");
    assert_eq!(linked.iter().map(|l| (l.domain.as_str(), l.data_ref_id)).collect::<Vec<_>>(), [("kyc", data_ref)]);
    let kyc = policy("allow if newton.identity.kyc.check_approved()");
    let task =
        TaskPrivacy::new(Arc::clone(&b), Arc::new(Keyring::new(operator.clone())), policy_client, owner.address());
    assert!(evaluate(&kyc, task).allow, "the identity uploaded through a opens for a task on b");

    // Confidential: published on a, proposed on b, accepted on a; a new version and the
    // revocation on b are what a sees.
    b.set_policy_client_owner(policy_client, client_owner.address()).expect("owner on b");
    let publish = |store: &PrivacyStore, nonce: u64, addresses: &[&str]| {
        let envelope = seal(&operator, &json!({ "addresses": addresses }), provider.address());
        let message = PublishData {
            provider: provider.address(),
            domain: domain_id(BLACKLIST),
            dataRefId: keccak256(envelope.as_bytes()),
            nonce: u(nonce),
            deadline: u(DEADLINE),
        };
        store
            .publish_confidential(provider.address(), BLACKLIST, &envelope, &provider.sign(store, &message, nonce))
            .expect("publish")
    };
    let v1 = publish(&a, 0, &["0xbad1"]);
    let propose = ProposeGrant {
        provider: provider.address(),
        domain: domain_id(BLACKLIST),
        policyClient: policy_client,
        nonce: u(1),
        deadline: u(DEADLINE),
    };
    b.propose_grant(provider.address(), BLACKLIST, policy_client, &provider.sign(&b, &propose, 1))
        .expect("propose on b");
    let accept = AcceptGrant {
        policyClientOwner: client_owner.address(),
        provider: provider.address(),
        domain: domain_id(BLACKLIST),
        policyClient: policy_client,
        nonce: u(0),
        deadline: u(DEADLINE),
    };
    a.accept_grant(provider.address(), BLACKLIST, policy_client, &client_owner.sign(&a, &accept, 0))
        .expect("accept on a");
    let grants = b.grants(policy_client).expect("grants on b");
    assert_eq!(
        (grants.len(), grants[0].state, grants[0].latest.as_ref().map(|v| v.version)),
        (1, GrantState::Active, Some(1))
    );
    let v2 = publish(&b, 2, &["0xbad2"]);
    assert_eq!(a.grants(policy_client).expect("grants on a")[0].latest, Some(v2.clone()));
    assert_eq!(a.versions(provider.address(), BLACKLIST).expect("versions on a"), [v1, v2]);
    let revoke = RevokeGrant {
        provider: provider.address(),
        domain: domain_id(BLACKLIST),
        policyClient: policy_client,
        nonce: u(3),
        deadline: u(DEADLINE),
    };
    b.revoke_grant(provider.address(), BLACKLIST, policy_client, &provider.sign(&b, &revoke, 3)).expect("revoke on b");
    assert_eq!(a.grants(policy_client).expect("grants on a")[0].state, GrantState::Revoked);
}

#[test]
fn sqlite_concurrent_writes_with_one_nonce_through_two_handles_spend_it_once() {
    concurrent_writes_with_one_nonce_through_two_handles_spend_it_once(false);
}

#[test]
fn postgres_concurrent_writes_with_one_nonce_through_two_handles_spend_it_once() {
    concurrent_writes_with_one_nonce_through_two_handles_spend_it_once(true);
}

/// Each round, 8 threads (4 per handle) upload a different envelope with the same nonce at
/// once: exactly one is stored, the other 7 are refused as stale and left nothing behind.
fn concurrent_writes_with_one_nonce_through_two_handles_spend_it_once(postgres: bool) {
    const THREADS: usize = 8;
    let dir = tempfile::tempdir().expect("tempdir");
    let at = location(postgres, &dir);
    let stores = [
        Arc::new(PrivacyStore::open(&at, CHAIN).expect("open a")),
        Arc::new(PrivacyStore::open(&at, CHAIN).expect("open b")),
    ];
    let operator = RecipientKeyPair::generate();
    let owner = Arc::new(Party::new(1));
    for round in 0..5u64 {
        let barrier = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|i| {
                let (store, owner, barrier) = (Arc::clone(&stores[i % 2]), Arc::clone(&owner), Arc::clone(&barrier));
                let envelope = seal(&operator, &json!({"round": round, "thread": i}), owner.address());
                std::thread::spawn(move || {
                    barrier.wait();
                    (keccak256(envelope.as_bytes()), upload(&store, &owner, &envelope, round))
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
        let won: Vec<B256> = results.iter().filter_map(|(_, r)| r.as_ref().ok().copied()).collect();
        assert_eq!(won.len(), 1, "round {round}: {results:?}");
        for (data_ref, result) in &results {
            if let Err(e) = result {
                assert_eq!(e.code, ErrorCode::PrivacyUnauthorized, "round {round}: {e:?}");
                assert!(e.message.contains("is stale"), "{}", e.message);
                let gone = stores[1].envelope(*data_ref).expect_err("a refused upload stores nothing");
                assert_eq!(gone.code, ErrorCode::PrivacyUnknownDataRef);
            }
        }
        for store in &stores {
            assert_eq!(store.nonce(owner.address()).expect("nonce"), round + 1);
            assert_eq!(store.envelope(won[0]).expect("the winner is stored").owner, owner.address());
        }
    }
}

#[test]
fn postgres_opens_at_once_create_one_schema_beside_the_gateways_tables() {
    let url = support::fresh_database();
    let mut db = support::client(&url);
    // The gateway's store in the same database has tables of its own, some with the names the
    // SQLite privacy store uses.
    db.batch_execute(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('chain_id', '999');
                      CREATE TABLE nonces (signer TEXT PRIMARY KEY, next BIGINT NOT NULL);",
    )
    .expect("gateway tables");

    let barrier = Arc::new(Barrier::new(4));
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let (url, barrier) = (url.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                PrivacyStore::open(&url, CHAIN).map(drop)
            })
        })
        .collect();
    for open in opens {
        open.join().expect("thread").expect("concurrent opens take turns for the schema");
    }
    let tables: Vec<String> = db
        .query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1", &[])
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        tables,
        [
            "meta",
            "nonces",
            "privacy_confidential_versions",
            "privacy_envelopes",
            "privacy_grants",
            "privacy_identity_data",
            "privacy_identity_links",
            "privacy_meta",
            "privacy_nonces",
            "privacy_policy_client_owners"
        ]
    );
    let meta = |db: &mut postgres::Client, table: &str| -> Vec<(String, String)> {
        db.query(&format!("SELECT key, value FROM {table} ORDER BY key"), &[])
            .expect("meta")
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    };
    assert_eq!(
        meta(&mut db, "privacy_meta"),
        [("chain_id".into(), CHAIN.to_string()), ("schema_version".into(), "1".into())]
    );
    assert_eq!(meta(&mut db, "meta"), [("chain_id".into(), "999".into())], "the gateway's meta is untouched");

    // Another chain's database, and a newer newton-engine's, are refused (and left as they were).
    let name = url.replace("postgres@", "");
    let err = PrivacyStore::open(&url, 1).expect_err("another chain");
    assert_eq!(err.code, ErrorCode::Store);
    assert_eq!(err.message, format!("privacy store {name} is for chain {CHAIN}, not 1"));
    db.execute("UPDATE privacy_meta SET value = '7' WHERE key = 'schema_version'", &[]).expect("bump");
    let err = PrivacyStore::open(&url, CHAIN).expect_err("a newer schema");
    assert_eq!(err.code, ErrorCode::Store);
    assert!(
        err.message.contains(&format!("{name}: schema version 7 is newer than this newton-engine knows (1)")),
        "{}",
        err.message
    );
    assert_eq!(meta(&mut db, "privacy_meta")[1], ("schema_version".into(), "7".into()));
}

#[test]
fn postgres_failures_are_store_errors_naming_the_database_without_credentials() {
    // Nothing listens on a port just given back.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let err = PrivacyStore::open(format!("postgresql://newton:s3cret@127.0.0.1:{port}/privacy?password=s3cret"), CHAIN)
        .expect_err("nothing listens");
    assert_eq!(err.code, ErrorCode::Store);
    assert!(
        err.message.starts_with(&format!("privacy store postgres://127.0.0.1:{port}/privacy: connect: ")),
        "{}",
        err.message
    );
    assert!(err.message.contains("Connection refused"), "the cause is kept: {}", err.message);
    assert!(!err.message.contains("s3cret"), "{}", err.message);
    assert_eq!(PrivacyStore::connect("privacy.db", CHAIN).expect_err("a path").code, ErrorCode::InvalidArgument);
    let err = PrivacyStore::open("postgres://newton:s3cret@127.0.0.1:port/privacy", CHAIN).expect_err("a bad port");
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert!(err.message.starts_with("privacy store postgres://127.0.0.1:port/privacy: bad URL: "), "{}", err.message);
    assert!(err.message.contains("port") && !err.message.contains("s3cret"), "{}", err.message);

    // A connection the server drops (a restart, an idle timeout) fails at most the call that finds
    // it dropped; the next one connects again.
    let url = support::fresh_database();
    let with_password = url.replace("postgres@", "postgres:hunter2@");
    let store = PrivacyStore::open(&with_password, CHAIN).expect("open");
    let signer = Address::repeat_byte(0x5e);
    assert_eq!(store.nonce(signer).expect("nonce"), 0);
    let database = url.rsplit('/').next().expect("name").to_owned();
    let terminated: bool = support::client(&url)
        .query_one(
            "SELECT bool_and(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
             WHERE datname = $1 AND application_name = 'newton-privacy'",
            &[&database],
        )
        .expect("terminate")
        .get(0);
    assert!(terminated);
    if let Err(err) = store.nonce(signer) {
        assert_eq!(err.code, ErrorCode::Store);
        assert!(
            err.message.starts_with(&format!("privacy store {}: read nonce: ", url.replace("postgres@", ""))),
            "{}",
            err.message
        );
        assert!(!err.message.contains("hunter2"), "{}", err.message);
    }
    assert_eq!(store.nonce(signer).expect("connected again"), 0);
}

fn policy(rules: &str) -> Policy {
    let source = format!("package p\nimport rego.v1\ndefault allow := false\n{rules}\n");
    Policy::compile(&[PolicyModule { path: "p.rego".into(), source }], "p.allow", CompileOptions::default())
        .expect("compiles")
}

fn evaluate(policy: &Policy, task: TaskPrivacy) -> newton_policy::Decision {
    let mut request = EvalRequest { input: Some(json!({"to": "0x00"})), ..EvalRequest::default() };
    request.context.sealed = Some(Arc::new(task) as Arc<dyn PrivateData>);
    policy.evaluate(&request).expect("evaluates")
}
