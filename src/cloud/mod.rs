//! Cloud API clients, one module per provider, plus what they share: the error type
//! with the cloud's code, message and RequestId, the retry policy, and lenient JSON
//! field decoders for response models whose types vary between actions.
//!
//! Request building and signing are pure (clock and nonce come in as values); the HTTP
//! client in each provider module is a thin layer that sends what the builder made.

pub mod alibaba;
mod error;
pub(crate) mod lenient;
mod retry;

pub use error::{ApiError, Error, Provider};
pub use retry::{RetryPolicy, retry};

use std::sync::Arc;
use std::time::SystemTime;

/// Where signing timestamps come from. Tests inject a fixed or skewed clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Where signature nonces come from. Tests inject a fixed one to provoke replay errors.
pub trait NonceSource: Send + Sync {
    fn nonce(&self) -> String;
}

/// A fresh random 128-bit hex nonce per request.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }
}

/// The clock and nonce source a client signs with.
#[derive(Clone)]
pub struct SigningContext {
    pub clock: Arc<dyn Clock>,
    pub nonces: Arc<dyn NonceSource>,
}

impl Default for SigningContext {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonce),
        }
    }
}

impl std::fmt::Debug for SigningContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningContext")
    }
}
