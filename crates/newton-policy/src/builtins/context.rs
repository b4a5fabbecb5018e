//! Per-evaluation caller data for the identity and confidential builtins.
//!
//! Extensions are registered once at compile time; the compiled engine is cloned per evaluation
//! and evaluated synchronously on one thread. The data for that evaluation is installed in a
//! thread-local by [`with_context`] and read by the builtins through [`identity`] and
//! [`confidential`]. Sealed data ([`PrivateData`]) is opened on the first call that needs it and
//! only for the evaluation that installed it.

use std::{cell::RefCell, fmt, rc::Rc, sync::Arc};

use chrono::NaiveDate;
use newton_core::{Error, Result};
use serde_json::{Map, Value};

/// Identity/confidential data that must be decrypted before a builtin can read it. Implemented
/// by the privacy layer; each call opens the data in memory and returns it, never storing it.
pub trait PrivateData: Send + Sync + fmt::Debug {
    /// Identity data, domain name → fields (merged over [`EvalContext::identity`]).
    fn identity(&self) -> Result<Map<String, Value>>;
    /// Confidential data, domain name → plaintext (merged over [`EvalContext::confidential`]).
    fn confidential(&self) -> Result<Map<String, Value>>;
}

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
    /// Sealed identity/confidential data, opened only if the policy calls a builtin that reads it.
    pub sealed: Option<Arc<dyn PrivateData>>,
}

/// What one evaluation has installed: the context, which sealed parts are open, and the first
/// failure to open one (its code becomes the decision's error code).
#[derive(Default)]
struct Installed {
    ctx: Rc<EvalContext>,
    identity_open: bool,
    confidential_open: bool,
    failure: Option<Error>,
}

thread_local! {
    static CURRENT: RefCell<Installed> = RefCell::new(Installed::default());
}

/// Runs `f` with `ctx` installed for the Newton builtins on this thread (`ctx` is cloned once).
/// Returns `f`'s result and the error that opening sealed data failed with, if it did. The
/// previously installed context is restored afterwards, also when `f` panics.
pub fn with_context<R>(ctx: &EvalContext, f: impl FnOnce() -> R) -> (R, Option<Error>) {
    let fresh = Installed { ctx: Rc::new(ctx.clone()), ..Installed::default() };
    let previous = CURRENT.with(|c| c.replace(fresh));
    let mut restore = Restore(Some(previous));
    let out = f();
    let failure = restore.finish();
    (out, failure)
}

/// Puts the previous context back when dropped.
struct Restore(Option<Installed>);

impl Restore {
    fn finish(&mut self) -> Option<Error> {
        let previous = self.0.take()?;
        CURRENT.try_with(|c| c.replace(previous).failure).ok().flatten()
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        // `try_with` inside `finish`: during thread teardown the thread-local may be gone.
        self.finish();
    }
}

#[derive(Clone, Copy)]
enum Part {
    Identity,
    Confidential,
}

/// The installed context with its identity data open.
pub(crate) fn identity() -> anyhow::Result<Rc<EvalContext>> {
    opened(Part::Identity)
}

/// The installed context with its confidential data open.
pub(crate) fn confidential() -> anyhow::Result<Rc<EvalContext>> {
    opened(Part::Confidential)
}

/// The installed context; on the first call for `part`, opens its sealed data and merges it in.
fn opened(part: Part) -> anyhow::Result<Rc<EvalContext>> {
    CURRENT.with(|c| {
        let mut installed = c.borrow_mut();
        let installed = &mut *installed;
        if let Some(e) = &installed.failure {
            return Err(anyhow::anyhow!("{}: {}", e.code, e.message));
        }
        let open = match part {
            Part::Identity => &mut installed.identity_open,
            Part::Confidential => &mut installed.confidential_open,
        };
        let Some(source) = installed.ctx.sealed.clone().filter(|_| !*open) else {
            return Ok(Rc::clone(&installed.ctx));
        };
        *open = true;
        let loaded = match part {
            Part::Identity => source.identity(),
            Part::Confidential => source.confidential(),
        };
        match loaded {
            Ok(map) => {
                let ctx = Rc::make_mut(&mut installed.ctx);
                let target = match part {
                    Part::Identity => &mut ctx.identity,
                    Part::Confidential => &mut ctx.confidential,
                };
                target.extend(map);
                Ok(Rc::clone(&installed.ctx))
            }
            Err(e) => {
                let err = anyhow::anyhow!("{}: {}", e.code, e.message);
                installed.failure = Some(e);
                Err(err)
            }
        }
    })
}
