//! `Job`: an AsyncTask shell that runs one closure on the libuv pool, for operations whose
//! sync form is the same closure behind `guard`.

use crate::error::{guard, to_napi};
use napi::bindgen_prelude::{AbortSignal, AsyncTask, ToNapiValue, TypeName};
use napi::{Env, Task};

type Work<T> = Box<dyn FnOnce() -> newton_core::Result<T> + Send>;

pub struct Job<T>(Option<Work<T>>);

/// An AsyncTask running `work` off the event loop; its errors and panics surface as `guard`'s.
pub fn job<T>(work: impl FnOnce() -> newton_core::Result<T> + Send + 'static) -> AsyncTask<Job<T>>
where
    Job<T>: Task,
{
    abortable_job(work, None)
}

/// Like [`job`]; an abort before the work starts rejects the promise with an AbortError.
pub fn abortable_job<T>(
    work: impl FnOnce() -> newton_core::Result<T> + Send + 'static,
    signal: Option<AbortSignal>,
) -> AsyncTask<Job<T>>
where
    Job<T>: Task,
{
    AsyncTask::with_optional_signal(Job(Some(Box::new(work))), signal)
}

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Job<T> {
    type Output = T;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<T> {
        let work = self.0.take().ok_or_else(|| to_napi(newton_core::Error::internal("a Job runs once")))?;
        guard(work)
    }

    fn resolve(&mut self, _env: Env, output: T) -> napi::Result<T> {
        Ok(output)
    }
}
