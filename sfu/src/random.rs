//! The engine's randomness: one seeded generator, so that a run driven with the same seed, inputs
//! and times makes the same choices (ICE credentials, leg SSRCs). The driver seeds it from
//! entropy; tests seed it with a fixed value. (The `rtc` core keeps its own randomness for DTLS
//! keys and certificates.)

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A seeded random source owned by the engine.
#[derive(Debug)]
pub(crate) struct Random(StdRng);

impl Random {
    /// A generator whose whole sequence follows from `seed`.
    pub fn from_seed(seed: u64) -> Self {
        Self(StdRng::seed_from_u64(seed))
    }

    /// Random ICE credentials: ufrag of 16 and password of 32 alphanumerics (RFC 8839 minimums
    /// are 4 and 22).
    pub fn ice_credentials(&mut self) -> (String, String) {
        let mut gen_str = |n: usize| -> String {
            (0..n)
                .map(|_| self.0.sample(rand::distr::Alphanumeric) as char)
                .collect()
        };
        (gen_str(16), gen_str(32))
    }

    /// A non-zero SSRC for which `taken` is false.
    pub fn ssrc(&mut self, taken: impl Fn(u32) -> bool) -> u32 {
        loop {
            let s: u32 = self.0.random();
            if s != 0 && !taken(s) {
                return s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_choices() {
        let (mut a, mut b) = (Random::from_seed(7), Random::from_seed(7));
        assert_eq!(a.ice_credentials(), b.ice_credentials());
        assert_eq!(a.ssrc(|_| false), b.ssrc(|_| false));
        let (ufrag, pwd) = Random::from_seed(8).ice_credentials();
        assert_eq!((ufrag.len(), pwd.len()), (16, 32));
        assert!(ufrag.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
