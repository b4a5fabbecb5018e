// Copyright (c) Microsoft Corporation.
// Licensed under the MIT License.

#![allow(dead_code)]

use core::fmt;
use core::time::Duration;

/// Errors reported when execution time or memory ceilings are enforced.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LimitError {
    /// Reported when the execution timer observes elapsed time beyond the configured limit.
    TimeLimitExceeded {
        /// Elapsed work duration when the threshold was exceeded.
        elapsed: Duration,
        /// Configured time limit.
        limit: Duration,
    },
    /// Reported when the memory tracker estimates usage beyond the configured limit.
    MemoryLimitExceeded {
        /// Estimated bytes in use when the limit was detected.
        usage: u64,
        /// Configured memory ceiling in bytes.
        limit: u64,
    },
    /// Reported when a compiled regex NFA exceeds the configured size limit.
    RegexSizeLimitExceeded {
        /// Configured compiled-NFA size ceiling in bytes.
        limit: usize,
    },
    /// Rule and function evaluations nested deeper than the budget allows.
    DepthLimitExceeded {
        /// Configured nesting limit.
        limit: u32,
    },
    /// An evaluation created more collection elements than its budget.
    ElementLimitExceeded {
        /// Configured element budget.
        limit: u64,
    },
    /// An evaluation created more string bytes than its budget.
    StringLimitExceeded {
        /// Configured string-byte budget.
        limit: u64,
    },
    /// An integer grew past the configured size.
    IntegerLimitExceeded {
        /// Configured integer size, in bits.
        limit: u64,
    },
}

impl fmt::Debug for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimeLimitExceeded { elapsed, limit } => f
                .debug_struct("TimeLimitExceeded")
                .field("elapsed", elapsed)
                .field("limit", limit)
                .finish(),
            Self::MemoryLimitExceeded { usage, limit } => f
                .debug_struct("MemoryLimitExceeded")
                .field("usage", usage)
                .field("limit", limit)
                .finish(),
            Self::RegexSizeLimitExceeded { limit } => f
                .debug_struct("RegexSizeLimitExceeded")
                .field("limit", limit)
                .finish(),
            Self::DepthLimitExceeded { limit } => f
                .debug_struct("DepthLimitExceeded")
                .field("limit", limit)
                .finish(),
            Self::ElementLimitExceeded { limit } => f
                .debug_struct("ElementLimitExceeded")
                .field("limit", limit)
                .finish(),
            Self::StringLimitExceeded { limit } => f
                .debug_struct("StringLimitExceeded")
                .field("limit", limit)
                .finish(),
            Self::IntegerLimitExceeded { limit } => f
                .debug_struct("IntegerLimitExceeded")
                .field("limit", limit)
                .finish(),
        }
    }
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimeLimitExceeded { elapsed, limit } => {
                let elapsed_ns = elapsed.as_nanos();
                let limit_ns = limit.as_nanos();
                write!(
                    f,
                    "execution exceeded time limit (elapsed={}ns, limit={}ns)",
                    elapsed_ns, limit_ns
                )
            }
            Self::MemoryLimitExceeded { usage, limit } => {
                write!(
                    f,
                    "execution exceeded memory limit (usage={} bytes, limit={} bytes)",
                    usage, limit
                )
            }
            Self::RegexSizeLimitExceeded { limit } => {
                write!(f, "compiled regex exceeded size limit ({} bytes)", limit)
            }
            Self::DepthLimitExceeded { limit } => write!(
                f,
                "rule and function evaluations nested deeper than the limit of {}",
                limit
            ),
            Self::ElementLimitExceeded { limit } => write!(
                f,
                "evaluation created more than {} collection elements",
                limit
            ),
            Self::StringLimitExceeded { limit } => write!(
                f,
                "evaluation created more than {} bytes of strings",
                limit
            ),
            Self::IntegerLimitExceeded { limit } => {
                write!(f, "integer larger than {} bits", limit)
            }
        }
    }
}

impl core::error::Error for LimitError {}
