//! Per-evaluation caller data for the identity and confidential builtins.
//!
//! Extensions are registered once at compile time; the compiled engine is cloned per evaluation
//! and evaluated synchronously on one thread. The data for that evaluation is installed in a
//! thread-local by [`with_context`] and read by the builtins through [`current`].

use std::{cell::RefCell, rc::Rc};

use chrono::NaiveDate;
use serde_json::{Map, Value};

/// Caller-supplied data for one evaluation.
#[derive(Clone, Debug, Default)]
pub struct EvalContext {
    /// Identity data: domain name → object of fields, e.g.
    /// `{"kyc": {"status": "approved", "address_country_code": "US", "address_subdivision": "CA",
    /// "birthdate": "1990-01-01", "expiration_date": "2030-01-01", "issue_date": "2020-01-01"}}`.
    /// The `newton.identity.kyc.*` checks read the `kyc` domain (`KycIdentityData` fields, §7).
    pub identity: Map<String, Value>,
    /// Confidential data: domain name → `{"addresses": ["0x…", …]}`. The domains `blacklist`,
    /// `newton.confidential.blacklist` and `newton.privacy.blacklist` form the blacklist; the
    /// same three spellings with `allowlist` form the allowlist.
    pub confidential: Map<String, Value>,
    /// "Today" for date-based KYC checks. When `None`, the `kyc` domain's `reference_date`
    /// field (YYYY-MM-DD) is used; the wall clock never is.
    pub reference_date: Option<NaiveDate>,
}

thread_local! {
    static CURRENT: RefCell<Rc<EvalContext>> = RefCell::new(Rc::default());
}

/// Runs `f` with `ctx` installed for the Newton builtins on this thread (`ctx` is cloned once).
/// The previously installed context is restored afterwards, also when `f` panics.
pub fn with_context<R>(ctx: &EvalContext, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(Rc::new(ctx.clone())));
    let _restore = Restore(previous);
    f()
}

/// Puts the previous context back when dropped.
struct Restore(Rc<EvalContext>);

impl Drop for Restore {
    fn drop(&mut self) {
        // `try_with`: during thread teardown the thread-local may already be gone.
        let _ = CURRENT.try_with(|c| c.replace(Rc::clone(&self.0)));
    }
}

/// The context installed on this thread; empty when none is.
pub(crate) fn current() -> Rc<EvalContext> {
    CURRENT.with(|c| Rc::clone(&c.borrow()))
}
