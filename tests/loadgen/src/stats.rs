//! Latency samples and their percentiles.

use std::time::Duration;

/// Round-trip samples, in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Latencies(Vec<u64>);

/// p50, p99 and p99.9 in milliseconds, with the sample count.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    #[serde(default)]
    pub max_ms: f64,
}

impl Latencies {
    pub fn with_capacity(n: usize) -> Latencies {
        Latencies(Vec::with_capacity(n))
    }

    pub fn push(&mut self, d: Duration) {
        self.0.push(d.as_micros() as u64);
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    /// Appends the samples to a file, one number of microseconds per line.
    pub fn append_to(&self, path: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut f = std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        );
        for v in &self.0 {
            writeln!(f, "{v}")?;
        }
        f.flush()
    }

    /// Reads samples written by `append_to`.
    pub fn read_from(path: &std::path::Path) -> anyhow::Result<Latencies> {
        let text = std::fs::read_to_string(path)?;
        let mut v = Vec::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            v.push(line.trim().parse()?);
        }
        Ok(Latencies(v))
    }

    /// Nearest-rank percentiles.
    pub fn percentiles(&mut self) -> Percentiles {
        self.0.sort_unstable();
        let at = |q: f64| -> f64 {
            if self.0.is_empty() {
                return f64::NAN;
            }
            let rank = ((q * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
            self.0[rank - 1] as f64 / 1000.0
        };
        Percentiles {
            count: self.0.len(),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            p999_ms: at(0.999),
            max_ms: at(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut l = Latencies::default();
        for ms in 1..=1000 {
            l.push(Duration::from_millis(ms));
        }
        let p = l.percentiles();
        assert_eq!(
            (p.count, p.p50_ms, p.p99_ms, p.p999_ms),
            (1000, 500.0, 990.0, 999.0)
        );
    }

    #[test]
    fn empty_is_nan() {
        assert!(Latencies::default().percentiles().p50_ms.is_nan());
    }
}

/// The turns of a closed-loop run, shared by its workers: numbered in order across them, the
/// first `warmup` (the concurrency, at least 50) not measured, and the moment the measured
/// ones began.
#[derive(Clone)]
pub struct Turns {
    next: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    warmup: usize,
    total: usize,
    measured_from: std::sync::Arc<std::sync::OnceLock<std::time::Instant>>,
}

impl Turns {
    /// `count` measured turns after the warm-up of a run at `concurrency` (at least 1).
    pub fn new(count: usize, concurrency: usize) -> Turns {
        Turns {
            next: Default::default(),
            warmup: Self::warmup(concurrency),
            total: Self::total_of(count, concurrency),
            measured_from: Default::default(),
        }
    }

    /// The turns not measured at the start of a run at `concurrency`.
    fn warmup(concurrency: usize) -> usize {
        concurrency.max(50)
    }

    /// The turns of a run of `count` measured ones at `concurrency`, the warm-up included.
    pub fn total_of(count: usize, concurrency: usize) -> usize {
        count + Self::warmup(concurrency)
    }

    /// The next turn's number, and whether it is measured; `None` once every turn is taken.
    pub fn take(&self) -> Option<(usize, bool)> {
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if i >= self.total {
            return None;
        }
        if i == self.warmup {
            let _ = self.measured_from.set(std::time::Instant::now());
        }
        Some((i, i >= self.warmup))
    }

    /// The turns run in all, the warm-up included.
    pub fn total(&self) -> usize {
        self.total
    }

    /// When the measured turns began (none yet when the run had none).
    pub fn measured_from(&self) -> Option<std::time::Instant> {
        self.measured_from.get().copied()
    }
}
