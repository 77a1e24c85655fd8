//! A process-wide monotonic microsecond clock, stamped into every synthetic packet so the
//! receiver (in the same process) can compute end-to-end latency.

use std::sync::OnceLock;
use std::time::Instant;

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Microseconds since the first call in this process (monotonic, never 0 after the first call
/// returns, since callers only compare differences).
pub fn mono_micros() -> u64 {
    micros_at(Instant::now())
}

/// The clock value of `at` (0 for instants before the clock's epoch).
pub fn micros_at(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch()).as_micros()).unwrap_or(u64::MAX)
}
