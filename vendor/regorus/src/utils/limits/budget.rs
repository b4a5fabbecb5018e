// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

//! Per-evaluation budget (newton-engine patch, offered upstream): how deep rule and function
//! evaluations may nest, how many collection elements and string bytes an evaluation may create,
//! how large an integer may grow, and a deadline that builtin loops consult.
//!
//! The budget is thread-local and only active inside [`with_eval_budget`]; outside a scope every
//! check passes, so engines that never open one behave exactly as before.

use super::error::LimitError;
use super::time::monotonic_now;
use crate::value::Value;
use core::cell::Cell;
use core::time::Duration;
use std::thread_local;

/// Limits for one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalBudgetConfig {
    /// Deepest nesting of rule and user-function evaluations, and of the values they create.
    pub max_depth: u32,
    /// Most collection elements (array items, set members, object entries) one evaluation creates.
    pub max_elements: u64,
    /// Most string bytes one evaluation creates.
    pub max_string_bytes: u64,
    /// Largest integer, in bits.
    pub max_integer_bits: u64,
    /// Wall-clock limit that builtin loops check (the interpreter has its own timer).
    pub timeout: Option<Duration>,
}

#[derive(Clone, Copy)]
struct State {
    config: EvalBudgetConfig,
    deadline: Option<Duration>,
    started: Duration,
    depth: u32,
    elements: u64,
    bytes: u64,
    ticks: u32,
}

thread_local! {
    static STATE: Cell<Option<State>> = const { Cell::new(None) };
}

// Builtin loops read the clock once per this many ticks.
const TICKS_PER_CLOCK_READ: u32 = 1024;

/// Runs `f` with a fresh budget on this thread; the previous scope (if any) is restored after.
pub fn with_eval_budget<R>(config: EvalBudgetConfig, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<State>);
    impl Drop for Restore {
        fn drop(&mut self) {
            STATE.with(|s| s.set(self.0));
        }
    }
    let started = monotonic_now().unwrap_or_default();
    let state = State {
        config,
        deadline: config.timeout.map(|t| started.saturating_add(t)),
        started,
        depth: 0,
        elements: 0,
        bytes: 0,
        ticks: 0,
    };
    let _restore = Restore(STATE.with(|s| s.replace(Some(state))));
    f()
}

fn update<R>(f: impl FnOnce(&mut State) -> Result<R, LimitError>, outside: R) -> Result<R, LimitError> {
    STATE.with(|cell| match cell.get() {
        None => Ok(outside),
        Some(mut state) => {
            let r = f(&mut state);
            cell.set(Some(state));
            r
        }
    })
}

/// Nesting guard returned by [`enter`]; leaving the evaluation drops it.
pub(crate) struct DepthGuard(bool);

impl Drop for DepthGuard {
    fn drop(&mut self) {
        if self.0 {
            let _ = update(
                |s| {
                    s.depth = s.depth.saturating_sub(1);
                    Ok(())
                },
                (),
            );
        }
    }
}

/// Enters one more rule or function evaluation.
pub(crate) fn enter() -> Result<DepthGuard, LimitError> {
    update(
        |s| {
            if s.depth >= s.config.max_depth {
                return Err(LimitError::DepthLimitExceeded { limit: s.config.max_depth });
            }
            s.depth += 1;
            Ok(DepthGuard(true))
        },
        DepthGuard(false),
    )
}

/// Fails when `elements` and `bytes` more would not fit in the budget.
fn room(s: &State, elements: u64, bytes: u64) -> Result<(), LimitError> {
    if s.elements.saturating_add(elements) > s.config.max_elements {
        return Err(LimitError::ElementLimitExceeded { limit: s.config.max_elements });
    }
    if s.bytes.saturating_add(bytes) > s.config.max_string_bytes {
        return Err(LimitError::StringLimitExceeded { limit: s.config.max_string_bytes });
    }
    Ok(())
}

/// Charges elements and string bytes about to be created.
pub(crate) fn charge(elements: u64, bytes: u64) -> Result<(), LimitError> {
    update(
        |s| {
            s.elements = s.elements.saturating_add(elements);
            s.bytes = s.bytes.saturating_add(bytes);
            room(s, 0, 0)
        },
        (),
    )
}

/// Fails when creating `elements` elements and `bytes` string bytes would exceed the budget,
/// without charging them (the created value is charged once it exists).
pub(crate) fn reserve(elements: u64, bytes: u64) -> Result<(), LimitError> {
    update(
        |s| room(s, elements, bytes),
        (),
    )
}

/// Charges a value that was just created, counting shared sub-values once per occurrence (so a
/// value built by doubling a shared one pays for what serializing it would cost), and refuses
/// values nested deeper than the depth limit (code that walks values recurses per level). Stops
/// walking as soon as the budget is exhausted.
pub(crate) fn charge_value(value: &Value) -> Result<(), LimitError> {
    struct Walk {
        elements: u64,
        bytes: u64,
        cap: (u64, u64),
        max_depth: u32,
        too_deep: bool,
    }
    impl Walk {
        fn visit(&mut self, v: &Value, depth: u32) {
            if self.elements > self.cap.0 || self.bytes > self.cap.1 || self.too_deep {
                return;
            }
            if depth > self.max_depth {
                self.too_deep = true;
                return;
            }
            match v {
                Value::String(s) => self.bytes += s.len() as u64,
                Value::Array(a) => {
                    self.elements += a.len() as u64;
                    a.iter().for_each(|i| self.visit(i, depth + 1));
                }
                Value::Set(set) => {
                    self.elements += set.len() as u64;
                    set.iter().for_each(|i| self.visit(i, depth + 1));
                }
                Value::Object(o) => {
                    self.elements += o.len() as u64;
                    o.iter().for_each(|(k, i)| {
                        self.visit(k, depth + 1);
                        self.visit(i, depth + 1);
                    });
                }
                _ => {}
            }
        }
    }
    let Some(state) = STATE.with(Cell::get) else { return Ok(()) };
    if !matches!(value, Value::String(_) | Value::Array(_) | Value::Set(_) | Value::Object(_)) {
        return Ok(());
    }
    let mut walk = Walk {
        elements: 0,
        bytes: 0,
        cap: (
            state.config.max_elements.saturating_sub(state.elements),
            state.config.max_string_bytes.saturating_sub(state.bytes),
        ),
        max_depth: state.config.max_depth,
        too_deep: false,
    };
    walk.visit(value, 0);
    if walk.too_deep {
        return Err(LimitError::DepthLimitExceeded { limit: state.config.max_depth });
    }
    charge(walk.elements, walk.bytes)
}

/// Fails when an integer of `bits` bits would exceed the budget.
pub(crate) fn check_integer_bits(bits: u64) -> Result<(), LimitError> {
    update(
        |s| match bits > s.config.max_integer_bits {
            true => Err(LimitError::IntegerLimitExceeded { limit: s.config.max_integer_bits }),
            false => Ok(()),
        },
        (),
    )
}

/// Called from builtin loops: reads the clock every [`TICKS_PER_CLOCK_READ`] calls and fails
/// once the deadline has passed.
pub(crate) fn tick() -> Result<(), LimitError> {
    update(
        |s| {
            s.ticks = s.ticks.wrapping_add(1);
            if s.ticks % TICKS_PER_CLOCK_READ != 0 {
                return Ok(());
            }
            match (s.deadline, s.config.timeout, monotonic_now()) {
                (Some(deadline), Some(limit), Some(now)) if now > deadline => {
                    Err(LimitError::TimeLimitExceeded { elapsed: now.saturating_sub(s.started), limit })
                }
                _ => Ok(()),
            }
        },
        (),
    )
}
