//! Deterministic randomness: one ChaCha8 stream per purpose, derived from the seed, so the
//! same seed gives the same fleet, traffic and incidents whatever the thread count.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Poisson};

/// A seeded random stream.
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    /// The stream `stream` of `seed` (streams of one seed are independent).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self(rng)
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// A uniform integer in `0..n` (`0` for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.0.random_range(0..n)
        }
    }

    /// Whether an event of probability `p` happens.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A Poisson count of mean `mean`.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        match Poisson::new(mean) {
            Ok(poisson) => poisson.sample(&mut self.0) as u64,
            Err(_) => 0,
        }
    }

    /// A log-normal latency in ms with median `median` and p99 about `p99`.
    pub fn latency(&mut self, median: f64, p99: f64) -> u64 {
        // p99 = median * exp(2.326 sigma).
        let sigma = ((p99 / median).max(1.0)).ln() / 2.326;
        match LogNormal::new(median.ln(), sigma) {
            Ok(distribution) => distribution.sample(&mut self.0).round().max(1.0) as u64,
            Err(_) => median as u64,
        }
    }

    /// `len` characters of `[a-z0-9]`.
    pub fn id(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len() as u64) as usize]))
            .collect()
    }

    /// A UUID v4 (lowercase, hyphenated), as `crypto.randomUUID()` would give.
    pub fn uuid(&mut self) -> String {
        let mut bytes: [u8; 16] = self.0.random();
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_stream_and_streams_differ() {
        let a: Vec<u64> = (0..5).map(|_| SimRng::new(7, 1).below(1000)).collect();
        let mut one = SimRng::new(7, 1);
        let mut again = SimRng::new(7, 1);
        let mut other = SimRng::new(7, 2);
        let first: Vec<u64> = (0..20).map(|_| one.below(1_000_000)).collect();
        let second: Vec<u64> = (0..20).map(|_| again.below(1_000_000)).collect();
        let third: Vec<u64> = (0..20).map(|_| other.below(1_000_000)).collect();
        assert_eq!(first, second);
        assert_ne!(first, third);
        assert_eq!(a.len(), 5);
    }

    #[test]
    fn latencies_have_the_asked_median_and_tail() {
        let mut rng = SimRng::new(1, 0);
        let mut samples: Vec<u64> = (0..20_000).map(|_| rng.latency(40.0, 300.0)).collect();
        samples.sort_unstable();
        let median = samples[10_000] as f64;
        let p99 = samples[19_800] as f64;
        assert!((34.0..46.0).contains(&median), "{median}");
        assert!((240.0..380.0).contains(&p99), "{p99}");
    }

    #[test]
    fn uuids_are_version_4() {
        let id = SimRng::new(3, 0).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
