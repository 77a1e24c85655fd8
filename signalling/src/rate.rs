//! A token-bucket limit on incoming messages per connection. Time is an input.

use std::time::{Duration, Instant};

/// Token bucket: `burst` messages at once, refilled at `per_second`.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// A full bucket at time `now`.
    pub fn new(burst: u32, per_second: u32, now: Instant) -> Self {
        Self::with_rate(burst, f64::from(per_second), now)
    }

    /// A full bucket at time `now`, refilled at `per_minute`.
    pub fn per_minute(burst: u32, per_minute: u32, now: Instant) -> Self {
        Self::with_rate(burst, f64::from(per_minute) / 60.0, now)
    }

    fn with_rate(burst: u32, per_second: f64, now: Instant) -> Self {
        Self {
            capacity: f64::from(burst),
            per_second,
            tokens: f64::from(burst),
            last: now,
        }
    }

    /// A full bucket at time `now` that regains one token every `interval` (for limits slower
    /// than one per second).
    pub fn every(burst: u32, interval: Duration, now: Instant) -> Self {
        let secs = interval.as_secs_f64();
        Self {
            per_second: if secs > 0.0 { 1.0 / secs } else { f64::MAX },
            ..Self::new(burst, 0, now)
        }
    }

    /// Takes one token if there is one; `false` means the message is over the limit.
    pub fn allow(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last);
        self.last = now;
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.per_second).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// How long until one token is available again.
    pub fn retry_after(&self) -> Duration {
        if self.tokens >= 1.0 || self.per_second <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.per_second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(3, 10, t0);
        assert!(limiter.allow(t0));
        assert!(limiter.allow(t0));
        assert!(limiter.allow(t0));
        assert!(!limiter.allow(t0));
        assert!(limiter.retry_after() > Duration::ZERO);
        assert!(!limiter.allow(t0 + Duration::from_millis(50)));
        assert!(limiter.allow(t0 + Duration::from_millis(110)));
        // Refill never exceeds the burst.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(limiter.allow(later));
        }
        assert!(!limiter.allow(later));
    }

    #[test]
    fn one_token_every_interval() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::every(2, Duration::from_secs(2), t0);
        assert!(limiter.allow(t0));
        assert!(limiter.allow(t0));
        assert!(!limiter.allow(t0 + Duration::from_millis(1900)));
        assert_eq!(limiter.retry_after().as_millis(), 100);
        assert!(limiter.allow(t0 + Duration::from_millis(2000)));
        assert!(!limiter.allow(t0 + Duration::from_millis(2000)));
    }

    #[test]
    fn per_minute() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::per_minute(2, 6, t0);
        assert!(limiter.allow(t0));
        assert!(limiter.allow(t0));
        assert!(!limiter.allow(t0));
        assert!(!limiter.allow(t0 + Duration::from_secs(9)));
        assert!(limiter.allow(t0 + Duration::from_secs(10)));
    }
}
