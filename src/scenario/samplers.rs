//! Samplers of the scenario's random quantities, each drawing as little as it can.

use crate::downline::NEVER;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Draws how long a new distributor stays, from a monthly quit table by tenure, with one
/// uniform number per person: the hazard does not depend on state, so the whole lifetime
/// is sampled at joining (inverse transform on the survival curve).
#[derive(Clone, Debug)]
pub struct Lifetime {
    /// `log_survival[k]` = ln P(still in after k quit decisions), k = 0..=horizon.
    log_survival: Vec<f64>,
}

impl Lifetime {
    /// Build for a quit table (by months since joining; last value repeats) and a horizon.
    pub fn new(quit: &[f64], horizon: usize) -> Self {
        let mut log_survival = Vec::with_capacity(horizon + 1);
        let mut acc = 0.0f64;
        log_survival.push(0.0);
        for k in 0..horizon {
            let h = quit[k.min(quit.len() - 1)];
            acc += (1.0 - h).ln(); // -inf when h = 1: everyone quits here
            log_survival.push(acc);
        }
        Lifetime { log_survival }
    }

    /// Like [`Lifetime::new`] for someone joining in calendar month `join`, with the quit
    /// probability of each calendar month `m` multiplied by `factor[m]` (capped at 1).
    /// Drawn with the same one uniform number, a lifetime is the same as without the
    /// factors until the first month whose factor is not 1.
    pub fn in_calendar(quit: &[f64], horizon: usize, join: u16, factor: &[f64]) -> Self {
        let mut log_survival = Vec::with_capacity(horizon + 1);
        let mut acc = 0.0f64;
        log_survival.push(0.0);
        for k in 0..horizon {
            // The k-th decision (0-based) is at the start of month join + k + 1.
            let m = join as usize + k + 1;
            let f = factor.get(m).copied().unwrap_or(1.0);
            let h = (quit[k.min(quit.len() - 1)] * f).min(1.0);
            acc += (1.0 - h).ln();
            log_survival.push(acc);
        }
        Lifetime { log_survival }
    }

    /// Months of participation (≥ 1) for someone joining now, or `None` past the horizon.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<u16> {
        let u: f64 = rng.random();
        let lu = (1.0 - u).ln(); // 1-u is in (0, 1]: ln is finite or 0
                                 // smallest k >= 1 with log_survival[k] < lu
        let s = &self.log_survival;
        // `s` does not increase: the count of entries at or above `lu` is where they
        // end. Counted without a branch on the draw over a short table (a binary search
        // mispredicts about every other step); searched in a long one.
        let k = if s.len() <= 128 {
            s.iter().map(|&x| (x >= lu) as usize).sum()
        } else {
            s.partition_point(|&x| x >= lu)
        };
        if k < s.len() {
            Some(k as u16)
        } else {
            None
        }
    }

    /// Quit month for someone joining in `join` (first month not participating).
    #[inline]
    pub fn quit_month<R: Rng + ?Sized>(&self, rng: &mut R, join: u16) -> u16 {
        match self.sample(rng) {
            Some(k) => join.saturating_add(k).min(NEVER - 1),
            None => NEVER,
        }
    }
}

/// Lognormal amounts with a given mean, in cents.
#[derive(Clone, Copy, Debug)]
pub struct LogNormalCents {
    mu: f64,
    sigma: f64,
}

impl LogNormalCents {
    /// Amounts whose mean is `mean` currency units and whose log has standard deviation
    /// `sigma` (so `mu = ln(mean) − sigma²/2`).
    pub fn new(mean: f64, sigma: f64) -> Self {
        LogNormalCents {
            mu: (mean * 100.0).ln() - sigma * sigma / 2.0,
            sigma,
        }
    }
    /// One amount in whole cents.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        // Amounts are positive: adding one half and truncating rounds half up, without
        // a call to libm's `round`.
        let x = if self.sigma == 0.0 {
            self.mu.exp()
        } else {
            let z: f64 = StandardNormal.sample(rng);
            (self.mu + self.sigma * z).exp()
        };
        // x is finite and positive (mu, sigma and z are finite); clamp to a trillion so
        // that the conversion needs no range checks.
        let x = x.min(1e14) + 0.5;
        // SAFETY: 0.5 <= x <= 1e14 + 0.5, which is finite and fits an i64.
        unsafe { x.to_int_unchecked::<i64>() }
    }
}

/// Poisson draws for small means by inversion with one uniform (exact), falling back to
/// `rand_distr` for large means.
#[inline]
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    poisson_at(rng, lambda, (-lambda).exp())
}

/// [`poisson`] with `exp(−lambda)` given: the same draws, for a loop whose mean is the
/// same for everyone (one `exp` a month instead of one a person).
#[inline]
pub fn poisson_at<R: Rng + ?Sized>(rng: &mut R, lambda: f64, exp_neg_lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 30.0 {
        let u: f64 = rng.random();
        let mut p = exp_neg_lambda;
        let mut k = 0u64;
        let mut cdf = p;
        while u > cdf {
            k += 1;
            p *= lambda / k as f64;
            cdf += p;
            if p < 1e-300 && k as f64 > lambda {
                break;
            }
        }
        k
    } else {
        rand_distr::Poisson::new(lambda)
            .map(|d| d.sample(rng) as u64)
            .unwrap_or(0)
    }
}

/// Binomial draws (`n` trials of probability `p`).
#[inline]
pub fn binomial<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if n <= 16 {
        (0..n).filter(|_| rng.random::<f64>() < p).count() as u64
    } else {
        rand_distr::Binomial::new(n, p)
            .map(|d| d.sample(rng))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn lifetime_constant_hazard_is_geometric() {
        let lt = Lifetime::new(&[0.2], 200);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let n = 200_000;
        let mut ones = 0;
        let mut total = 0u64;
        for _ in 0..n {
            let k = lt.sample(&mut rng).unwrap() as u64;
            assert!(k >= 1);
            if k == 1 {
                ones += 1;
            }
            total += k;
        }
        let p1 = ones as f64 / n as f64;
        assert!((p1 - 0.2).abs() < 0.005, "P(L=1) = {p1}");
        let mean = total as f64 / n as f64;
        assert!((mean - 5.0).abs() < 0.05, "mean = {mean}");
    }

    #[test]
    fn lifetime_table_and_certain_quit() {
        let lt = Lifetime::new(&[0.0, 1.0], 10);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        for _ in 0..1000 {
            assert_eq!(lt.sample(&mut rng), Some(2));
        }
        let never = Lifetime::new(&[0.0], 10);
        assert_eq!(never.sample(&mut rng), None);
    }

    #[test]
    fn lognormal_mean_and_poisson_mean() {
        let d = LogNormalCents::new(100.0, 0.5);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 200_000;
        let mean = (0..n).map(|_| d.sample(&mut rng)).sum::<i64>() as f64 / n as f64;
        assert!((mean - 10_000.0).abs() < 60.0, "mean = {mean}");
        let pm = (0..n).map(|_| poisson(&mut rng, 0.7)).sum::<u64>() as f64 / n as f64;
        assert!((pm - 0.7).abs() < 0.01, "poisson mean = {pm}");
        let bm = (0..n).map(|_| binomial(&mut rng, 10, 0.3)).sum::<u64>() as f64 / n as f64;
        assert!((bm - 3.0).abs() < 0.02, "binomial mean = {bm}");
    }
}
