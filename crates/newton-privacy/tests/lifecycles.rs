//! The three lifecycles end to end through the store, the registries' signatures and the
//! policy engine: data opens only for the right task, every failure has its own code, and no
//! plaintext reaches the store (its SQLite files, its PostgreSQL tables). The store cases run on
//! both backends: `sqlite::<case>` on a file, `postgres::<case>` on a fresh database of this
//! binary's PostgreSQL server (tests/support).

mod support;

use alloy_primitives::{Address, B256};
use newton_core::ErrorCode;
use newton_policy::builtins::PrivateData;
use newton_policy::{CompileOptions, EvalRequest, Policy, PolicyModule};
use newton_privacy::authorization::{AcceptGrant, LinkIdentity, ProposeGrant, PublishData, RevokeGrant, UnlinkIdentity, UploadIdentity};
use newton_privacy::{
    open_ephemeral, strip_reserved, GrantState, IdentityLink, Keyring, PrivacyStore, RecipientKeyPair,
    SecureEnvelope, TaskPrivacy,
};
use newton_types::hash::domain_id;
use serde_json::{json, Value};
use std::sync::Arc;
use support::party::{Party, DEADLINE};

const CHAIN: u64 = 11155111;
const CANARY: &str = "CANARY-4c1d-identity-never-on-disk";
const BLACKLIST: &str = "newton.privacy.blacklist";

fn nonce_u(n: u64) -> alloy_primitives::U256 {
    alloy_primitives::U256::from(n)
}

/// Where a case's store lives.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Sqlite,
    Postgres,
}

/// Each case runs once per backend, as `sqlite::<case>` and `postgres::<case>`.
macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $case() { super::$case(super::Kind::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $case() { super::$case(super::Kind::Postgres) })*
        }
    };
}

on_both_stores!(
    identity_lifecycle_upload_link_evaluate_unlink,
    registry_writes_need_the_right_signer_nonce_and_deadline,
    confidential_lifecycle_versions_two_step_grant_and_revoke,
    evaluation_failures_have_distinct_codes_and_deny,
    a_node_attaches_a_tasks_private_data,
);

/// The store's SQLite file, or its PostgreSQL database URL.
enum Location {
    File(std::path::PathBuf),
    Database(String),
}

struct World {
    _dir: tempfile::TempDir,
    location: Location,
    store: Arc<PrivacyStore>,
    operator: RecipientKeyPair,
    owner: Party,
    provider: Party,
    client_owner: Party,
    policy_client: Address,
}

impl World {
    fn new(kind: Kind) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let location = match kind {
            Kind::Sqlite => Location::File(dir.path().join("privacy.db")),
            Kind::Postgres => Location::Database(support::fresh_database()),
        };
        let store = Arc::new(match &location {
            Location::File(path) => PrivacyStore::open(path, CHAIN),
            Location::Database(url) => PrivacyStore::open(url, CHAIN),
        }
        .expect("open"));
        let world = Self {
            _dir: dir,
            location,
            store,
            operator: RecipientKeyPair::generate(),
            owner: Party::new(1),
            provider: Party::new(2),
            client_owner: Party::new(3),
            policy_client: Address::repeat_byte(0xc1),
        };
        world.store.set_policy_client_owner(world.policy_client, world.client_owner.address()).expect("owner");
        world
    }

    fn seal(&self, plaintext: &Value, bound_to: Address) -> String {
        SecureEnvelope::seal(plaintext.to_string().as_bytes(), &self.operator.public_key_bytes(), bound_to, CHAIN)
            .expect("seal")
            .to_json()
    }

    fn nonce(&self, who: &Party) -> u64 {
        self.store.nonce(who.address()).expect("nonce")
    }

    fn upload_identity(&self, envelope: &str) -> B256 {
        let owner = self.owner.address();
        let message = UploadIdentity {
            identityOwner: owner,
            identityDomain: domain_id("kyc"),
            dataRefId: alloy_primitives::keccak256(envelope.as_bytes()),
            nonce: nonce_u(self.nonce(&self.owner)),
            deadline: nonce_u(DEADLINE),
        };
        let auth = self.owner.sign(&self.store, &message, self.nonce(&self.owner));
        self.store.upload_identity(owner, "kyc", envelope, &auth).expect("upload")
    }

    fn link(&self) -> IdentityLink {
        let owner = self.owner.address();
        IdentityLink { owner, policy_client: self.policy_client, user: owner, domains: vec!["kyc".into()] }
    }

    fn link_message(&self, link: &IdentityLink, nonce: u64) -> LinkIdentity {
        LinkIdentity {
            identityOwner: link.owner,
            policyClient: link.policy_client,
            clientUser: link.user,
            identityDomains: link.domains.iter().map(|d| domain_id(d)).collect(),
            nonce: nonce_u(nonce),
            deadline: nonce_u(DEADLINE),
        }
    }

    fn publish(&self, plaintext: &Value) -> newton_privacy::DataVersion {
        let envelope = self.seal(plaintext, self.provider.address());
        let nonce = self.nonce(&self.provider);
        let message = PublishData {
            provider: self.provider.address(),
            domain: domain_id(BLACKLIST),
            dataRefId: alloy_primitives::keccak256(envelope.as_bytes()),
            nonce: nonce_u(nonce),
            deadline: nonce_u(DEADLINE),
        };
        let auth = self.provider.sign(&self.store, &message, nonce);
        self.store.publish_confidential(self.provider.address(), BLACKLIST, &envelope, &auth).expect("publish")
    }

    fn propose(&self) {
        let nonce = self.nonce(&self.provider);
        let m = ProposeGrant { provider: self.provider.address(), domain: domain_id(BLACKLIST), policyClient: self.policy_client, nonce: nonce_u(nonce), deadline: nonce_u(DEADLINE) };
        let auth = self.provider.sign(&self.store, &m, nonce);
        self.store.propose_grant(self.provider.address(), BLACKLIST, self.policy_client, &auth).expect("propose");
    }

    fn accept(&self) -> newton_core::Result<()> {
        let nonce = self.nonce(&self.client_owner);
        let m = AcceptGrant {
            policyClientOwner: self.client_owner.address(),
            provider: self.provider.address(),
            domain: domain_id(BLACKLIST),
            policyClient: self.policy_client,
            nonce: nonce_u(nonce),
            deadline: nonce_u(DEADLINE),
        };
        let auth = self.client_owner.sign(&self.store, &m, nonce);
        self.store.accept_grant(self.provider.address(), BLACKLIST, self.policy_client, &auth)
    }

    fn revoke(&self) {
        let nonce = self.nonce(&self.provider);
        let m = RevokeGrant { provider: self.provider.address(), domain: domain_id(BLACKLIST), policyClient: self.policy_client, nonce: nonce_u(nonce), deadline: nonce_u(DEADLINE) };
        let auth = self.provider.sign(&self.store, &m, nonce);
        self.store.revoke_grant(self.provider.address(), BLACKLIST, self.policy_client, &auth).expect("revoke");
    }

    fn task(&self, keyring: Keyring) -> TaskPrivacy {
        TaskPrivacy::new(Arc::clone(&self.store), Arc::new(keyring), self.policy_client, self.owner.address())
    }

    fn keyring(&self) -> Keyring {
        Keyring::new(self.operator.clone())
    }
}

fn kyc_fields() -> Value {
    json!({"status": "approved", "address_country_code": "US", "address_subdivision": "CA", "birthdate": "1990-01-01",
           "expiration_date": "2030-01-01", "issue_date": "2020-01-01", "reference_date": "2026-11-25", "note": CANARY})
}

fn policy(rules: &str) -> Policy {
    let source = format!("package p\nimport rego.v1\ndefault allow := false\n{rules}\n");
    Policy::compile(&[PolicyModule { path: "p.rego".into(), source }], "p.allow", CompileOptions::default()).expect("compiles")
}

fn evaluate(policy: &Policy, task: TaskPrivacy, to: &str) -> newton_policy::Decision {
    let mut request = EvalRequest { input: Some(json!({"to": to})), ..EvalRequest::default() };
    request.context.sealed = Some(Arc::new(task) as Arc<dyn PrivateData>);
    policy.evaluate(&request).expect("evaluates")
}

fn code<T: std::fmt::Debug>(r: newton_core::Result<T>) -> ErrorCode {
    r.expect_err("must fail").code
}

fn identity_lifecycle_upload_link_evaluate_unlink(kind: Kind) {
    let w = World::new(kind);
    let data_ref = w.upload_identity(&w.seal(&kyc_fields(), w.owner.address()));
    assert_eq!(w.store.envelope(data_ref).expect("stored").owner, w.owner.address());

    let link = w.link();
    let auth = w.owner.sign(&w.store, &w.link_message(&link, w.nonce(&w.owner)), w.nonce(&w.owner));
    w.store.link_identity(&link, &auth, None).expect("link");
    assert_eq!(w.store.linked_identity(w.policy_client, w.owner.address()).expect("links").len(), 1);

    let kyc = policy("allow if {\n newton.identity.kyc.check_approved()\n newton.identity.kyc.age_gte(18)\n newton.identity.kyc.address_in_countries([\"US\"])\n}");
    let decision = evaluate(&kyc, w.task(w.keyring()), "0x00");
    assert!(decision.allow, "{decision:?}");

    // Replaying the same signature is refused (nonce consumed); nothing changes.
    assert_eq!(code(w.store.link_identity(&link, &auth, None)), ErrorCode::PrivacyUnauthorized);

    let nonce = w.nonce(&w.owner);
    let unlink = UnlinkIdentity {
        identityOwner: link.owner,
        policyClient: link.policy_client,
        clientUser: link.user,
        identityDomains: vec![domain_id("kyc")],
        nonce: nonce_u(nonce),
        deadline: nonce_u(DEADLINE),
    };
    w.store.unlink_identity(&link, &w.owner.sign(&w.store, &unlink, nonce)).expect("unlink");
    assert!(w.store.linked_identity(w.policy_client, w.owner.address()).expect("links").is_empty());
    assert!(!evaluate(&kyc, w.task(w.keyring()), "0x00").allow, "unlinked identity is not read");

    // The store never held the plaintext.
    assert_no_canary(&w);
}

fn registry_writes_need_the_right_signer_nonce_and_deadline(kind: Kind) {
    let w = World::new(kind);
    let envelope = w.seal(&kyc_fields(), w.owner.address());
    let message = UploadIdentity {
        identityOwner: w.owner.address(),
        identityDomain: domain_id("kyc"),
        dataRefId: alloy_primitives::keccak256(envelope.as_bytes()),
        nonce: nonce_u(0),
        deadline: nonce_u(DEADLINE),
    };
    // Signed by someone else.
    let mut forged = w.provider.sign(&w.store, &message, 0);
    forged.signer = w.owner.address();
    assert_eq!(code(w.store.upload_identity(w.owner.address(), "kyc", &envelope, &forged)), ErrorCode::PrivacyUnauthorized);
    // Past deadline.
    let mut expired = w.owner.sign(&w.store, &UploadIdentity { deadline: nonce_u(1), ..message.clone() }, 0);
    expired.deadline = 1;
    assert_eq!(code(w.store.upload_identity(w.owner.address(), "kyc", &envelope, &expired)), ErrorCode::PrivacyUnauthorized);
    // Wrong nonce.
    let stale = w.owner.sign(&w.store, &UploadIdentity { nonce: nonce_u(5), ..message.clone() }, 5);
    assert_eq!(code(w.store.upload_identity(w.owner.address(), "kyc", &envelope, &stale)), ErrorCode::PrivacyUnauthorized);
    // An envelope bound to someone else, or to another chain.
    let foreign = w.seal(&kyc_fields(), w.provider.address());
    let good = w.owner.sign(&w.store, &message, 0);
    assert_eq!(code(w.store.upload_identity(w.owner.address(), "kyc", &foreign, &good)), ErrorCode::PrivacyPolicyClientMismatch);
    let other_chain = SecureEnvelope::seal(b"{}", &w.operator.public_key_bytes(), w.owner.address(), 1).expect("seal").to_json();
    assert_eq!(code(w.store.upload_identity(w.owner.address(), "kyc", &other_chain, &good)), ErrorCode::PrivacyAadMismatch);
    // None of that consumed the nonce; the real upload still goes through.
    assert_eq!(w.nonce(&w.owner), 0);
    w.store.upload_identity(w.owner.address(), "kyc", &envelope, &good).expect("upload");
    // Unknown data refs are their own error.
    assert_eq!(code(w.store.envelope(B256::repeat_byte(7))), ErrorCode::PrivacyUnknownDataRef);
    // A link to another user needs that user's signature too.
    let link = IdentityLink { user: w.provider.address(), ..w.link() };
    let auth = w.owner.sign(&w.store, &w.link_message(&link, 1), 1);
    assert_eq!(code(w.store.link_identity(&link, &auth, None)), ErrorCode::PrivacyUnauthorized);
    let user_auth = w.provider.sign(&w.store, &w.link_message(&link, 0), 0);
    w.store.link_identity(&link, &auth, Some(&user_auth)).expect("both signed");
}

fn confidential_lifecycle_versions_two_step_grant_and_revoke(kind: Kind) {
    let w = World::new(kind);
    let v1 = w.publish(&json!({"addresses": ["0xbad1"]}));
    let v2 = w.publish(&json!({"addresses": ["0xBAD2", "0xbad3"]}));
    assert_eq!((v1.version, v2.version), (1, 2));
    let versions = w.store.versions(w.provider.address(), BLACKLIST).expect("versions");
    assert_eq!(versions.iter().map(|v| v.data_ref_id).collect::<Vec<_>>(), vec![v1.data_ref_id, v2.data_ref_id]);
    assert!(w.store.envelope(v1.data_ref_id).is_ok(), "older versions stay addressable");

    let screen = policy("allow if not newton.confidential.blacklist.contains(input.to)");
    // No grant yet.
    let decision = evaluate(&screen, w.task(w.keyring()), "0x1234");
    assert_eq!(decision.error.map(|e| e.code), Some(ErrorCode::PrivacyNoGrant));
    // Accepting before a proposal is refused; proposing alone grants nothing.
    assert_eq!(code(w.accept()), ErrorCode::PrivacyNoGrant);
    w.propose();
    assert_eq!(w.store.grants(w.policy_client).expect("grants")[0].state, GrantState::Pending);
    assert_eq!(evaluate(&screen, w.task(w.keyring()), "0x1234").error.map(|e| e.code), Some(ErrorCode::PrivacyNoGrant));
    w.accept().expect("accept");

    // The latest version wins.
    assert!(evaluate(&screen, w.task(w.keyring()), "0xbad1").allow, "v1 is superseded");
    assert!(!evaluate(&screen, w.task(w.keyring()), "0xbad2").allow, "v2 lists it (case-insensitive)");
    assert!(evaluate(&screen, w.task(w.keyring()), "0x1234").allow);

    w.revoke();
    let decision = evaluate(&screen, w.task(w.keyring()), "0x1234");
    assert!(!decision.allow);
    assert_eq!(decision.error.map(|e| e.code), Some(ErrorCode::PrivacyGrantRevoked));
}

fn evaluation_failures_have_distinct_codes_and_deny(kind: Kind) {
    let w = World::new(kind);
    let kyc = policy("allow if newton.identity.kyc.check_approved()");
    let link_it = |envelope: &str| {
        w.upload_identity(envelope);
        let link = w.link();
        let nonce = w.nonce(&w.owner);
        let auth = w.owner.sign(&w.store, &w.link_message(&link, nonce), nonce);
        w.store.link_identity(&link, &auth, None).expect("link");
    };

    // Tampered ciphertext: uploaded (the store cannot tell), refused when opened.
    let mut tampered: Value = serde_json::from_str(&w.seal(&kyc_fields(), w.owner.address())).expect("json");
    let ct = tampered["ciphertext"].as_str().expect("hex").to_owned();
    tampered["ciphertext"] = Value::String(format!("{}{}", if ct.starts_with('0') { "1" } else { "0" }, &ct[1..]));
    link_it(&tampered.to_string());
    assert_eq!(evaluate(&kyc, w.task(w.keyring()), "0x").error.map(|e| e.code), Some(ErrorCode::PrivacyDecrypt));

    // Sealed to another operator's key.
    let other = RecipientKeyPair::generate();
    let foreign = SecureEnvelope::seal(kyc_fields().to_string().as_bytes(), &other.public_key_bytes(), w.owner.address(), CHAIN)
        .expect("seal")
        .to_json();
    link_it(&foreign);
    assert_eq!(evaluate(&kyc, w.task(w.keyring()), "0x").error.map(|e| e.code), Some(ErrorCode::PrivacyWrongRecipient));

    // A key that was rotated out and retired.
    link_it(&w.seal(&kyc_fields(), w.owner.address()));
    let mut rotated = w.keyring();
    rotated.rotate(RecipientKeyPair::generate());
    assert!(evaluate(&kyc, w.task(rotated), "0x").allow, "rotated keys still open until retired");
    let mut retired = w.keyring();
    retired.rotate(RecipientKeyPair::generate());
    retired.retire(&w.operator.public_key_bytes()).expect("retire");
    assert_eq!(evaluate(&kyc, w.task(retired), "0x").error.map(|e| e.code), Some(ErrorCode::PrivacyKeyRetired));

    // A linked envelope that is gone (garbage-collected, say) is an unknown data ref.
    w.delete_envelopes();
    assert_eq!(evaluate(&kyc, w.task(w.keyring()), "0x").error.map(|e| e.code), Some(ErrorCode::PrivacyUnknownDataRef));
    assert_no_canary(&w);
}

#[test]
fn ephemeral_data_opens_for_its_task_only() {
    let w = World::new(Kind::Sqlite); // no store involved
    let keyring = w.keyring();
    let pc = w.policy_client;
    let envelope = |plaintext: Value, bound: Address, chain: u64| {
        let e = SecureEnvelope::seal(plaintext.to_string().as_bytes(), &w.operator.public_key_bytes(), bound, chain).expect("seal");
        serde_json::from_str::<Value>(&e.to_json()).expect("json")
    };
    let args = json!({"pack": {"x": 1}, "_newton": {"privacy": [envelope(json!({"a": 1, "b": CANARY}), pc, CHAIN), envelope(json!({"a": 2}), pc, CHAIN).to_string()]}});
    let privacy = open_ephemeral(&args, pc, CHAIN, &keyring).expect("opens").expect("present");
    assert_eq!(privacy, json!({"a": 2, "b": CANARY}), "shallow merge, last wins");
    assert_eq!(strip_reserved(&args), json!({"pack": {"x": 1}}), "PolicyData never sees `_newton`");
    assert_eq!(open_ephemeral(&json!({"pack": {}}), pc, CHAIN, &keyring).expect("none"), None);

    let one = |e: Value| json!({"_newton": {"privacy": [e]}});
    let other_pc = Address::repeat_byte(0x99);
    assert_eq!(code(open_ephemeral(&one(envelope(json!({}), other_pc, CHAIN)), pc, CHAIN, &keyring)), ErrorCode::PrivacyPolicyClientMismatch);
    assert_eq!(code(open_ephemeral(&one(envelope(json!({}), pc, 1)), pc, CHAIN, &keyring)), ErrorCode::PrivacyAadMismatch);
    assert_eq!(code(open_ephemeral(&one(envelope(json!([1]), pc, CHAIN)), pc, CHAIN, &keyring)), ErrorCode::PrivacyEnvelopeInvalid);
    assert_eq!(code(open_ephemeral(&json!({"_newton": {"privacy": {}}}), pc, CHAIN, &keyring)), ErrorCode::PrivacyEnvelopeInvalid);
}

/// The store never held the canary: not in any file of SQLite's (database, WAL, shared memory),
/// not in any row of PostgreSQL's tables (as text, or as the hex bytea would show).
fn assert_no_canary(w: &World) {
    match &w.location {
        Location::File(path) => {
            let mut scanned = 0;
            for entry in std::fs::read_dir(path.parent().expect("dir")).expect("dir") {
                let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
                scanned += 1;
                assert!(!bytes.windows(CANARY.len()).any(|win| win == CANARY.as_bytes()), "plaintext reached disk");
            }
            assert!(scanned >= 1);
        }
        Location::Database(url) => {
            let mut db = support::client(url);
            let tables: Vec<String> = db
                .query(r"SELECT table_name::text FROM information_schema.tables WHERE table_name LIKE 'privacy\_%'", &[])
                .expect("tables")
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert_eq!(tables.len(), 8, "{tables:?}");
            let hex_canary = hex::encode(CANARY);
            for table in tables {
                for row in db.query(&format!("SELECT t::text FROM {table} t"), &[]).expect("rows") {
                    let text: String = row.get(0);
                    assert!(!text.contains(CANARY) && !text.contains(&hex_canary), "plaintext reached {table}");
                }
            }
        }
    }
}

impl World {
    /// Removes every stored envelope behind the store's back (as garbage collection would).
    fn delete_envelopes(&self) {
        match &self.location {
            Location::File(path) => {
                rusqlite::Connection::open(path).expect("open db").execute("DELETE FROM envelopes", []).expect("delete");
            }
            Location::Database(url) => {
                support::client(url).execute("DELETE FROM privacy_envelopes", &[]).expect("delete");
            }
        }
    }
}

fn a_node_attaches_a_tasks_private_data(kind: Kind) {
    let w = World::new(kind);
    w.upload_identity(&w.seal(&kyc_fields(), w.owner.address()));
    let link = w.link();
    let auth = w.owner.sign(&w.store, &w.link_message(&link, 1), 1);
    w.store.link_identity(&link, &auth, None).expect("link");

    let node = newton_privacy::PrivacyNode::new(w.keyring(), Some(Arc::clone(&w.store)));
    let secret = SecureEnvelope::seal(br#"{"limit": 5}"#, &w.operator.public_key_bytes(), w.policy_client, CHAIN).expect("seal");
    let wasm_args = json!({"_newton": {"privacy": [serde_json::from_str::<Value>(&secret.to_json()).expect("json")]}});
    let input = json!({"from": w.owner.address().to_string(), "chain_id": CHAIN.to_string(), "to": "0x00"});
    let mut request = EvalRequest { input: Some(input.clone()), ..EvalRequest::default() };
    node.attach(&mut request, w.policy_client, Some(&wasm_args)).expect("attach");
    assert_eq!(request.privacy, Some(json!({"limit": 5})));
    let both = policy("allow if {\n data.privacy.limit == 5\n newton.identity.kyc.check_approved()\n}");
    assert!(both.evaluate(&request).expect("evaluates").allow);

    // Ephemeral data that does not open denies with its code.
    let foreign = SecureEnvelope::seal(b"{}", &w.operator.public_key_bytes(), Address::repeat_byte(0x99), CHAIN).expect("seal");
    let bad_args = json!({"_newton": {"privacy": [serde_json::from_str::<Value>(&foreign.to_json()).expect("json")]}});
    let mut denied = EvalRequest { input: Some(input.clone()), ..EvalRequest::default() };
    node.attach(&mut denied, w.policy_client, Some(&bad_args)).expect("attach");
    let decision = policy("allow if true").evaluate(&denied).expect("evaluates");
    assert!(!decision.allow);
    assert_eq!(decision.error.map(|e| e.code), Some(ErrorCode::PrivacyPolicyClientMismatch));

    // The intent's chain must be the store's.
    let mut elsewhere = EvalRequest { input: Some(json!({"from": input["from"], "chain_id": "1"})), ..EvalRequest::default() };
    assert_eq!(code(node.attach(&mut elsewhere, w.policy_client, None)), ErrorCode::PrivacyAadMismatch);
    let mut no_intent = EvalRequest::default();
    assert_eq!(code(node.attach(&mut no_intent, w.policy_client, None)), ErrorCode::InvalidArgument);
}
