//! Login rate limiting per account and per client address (governor, GCRA). Over the limit the
//! answer is 429 with `Retry-After`. Limits are per API node; behind a load balancer the
//! effective limit is the sum over nodes.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Keyed limiters for login attempts.
#[derive(Clone, Debug)]
pub struct LoginLimiter {
    per_account: Arc<DefaultKeyedRateLimiter<String>>,
    per_address: Arc<DefaultKeyedRateLimiter<String>>,
}

impl LoginLimiter {
    /// Limiters allowing `per_account` and `per_address` attempts per minute (at least one).
    pub fn new(per_account: u32, per_address: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_account: Arc::new(RateLimiter::keyed(quota(per_account))),
            per_address: Arc::new(RateLimiter::keyed(quota(per_address))),
        }
    }

    /// Takes one attempt for the account name and the address.
    ///
    /// # Errors
    /// 429 with the number of seconds until the next attempt is allowed.
    pub fn check(&self, account: &str, address: &str) -> Result<(), ApiError> {
        let clock = DefaultClock::default();
        for (limiter, key) in [(&self.per_address, address), (&self.per_account, account)] {
            if let Err(not_until) = limiter.check_key(&key.to_lowercase()) {
                let wait = not_until.wait_time_from(clock.now());
                return Err(ApiError::TooManyRequests {
                    retry_after: wait.as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    /// Forgets keys whose limit has fully replenished (called periodically).
    pub fn prune(&self) {
        self.per_account.retain_recent();
        self.per_address.retain_recent();
    }
}
