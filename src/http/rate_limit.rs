//! A per-client-IP token bucket: `rate` requests per second, bursts up to
//! twice that. Buckets of addresses not seen for a minute are dropped, so
//! memory stays bounded by the addresses active in the last minute.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    by_ip: HashMap<IpAddr, (f64, Instant)>,
    last_sweep: Instant,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> Self {
        let rate = f64::from(per_second.max(1));
        RateLimiter {
            rate,
            burst: rate * 2.0,
            buckets: Mutex::new(Buckets {
                by_ip: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    /// Takes a token for `ip`; false when its bucket is empty.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if now.duration_since(buckets.last_sweep) > Duration::from_secs(60) {
            buckets
                .by_ip
                .retain(|_, (_, seen)| now.duration_since(*seen) < Duration::from_secs(60));
            buckets.last_sweep = now;
        }
        let (tokens, seen) = buckets.by_ip.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*seen).as_secs_f64() * self.rate).min(self.burst);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused() {
        let limiter = RateLimiter::new(5);
        let ip: IpAddr = "127.0.0.1".parse().expect("ip");
        let allowed = (0..20).filter(|_| limiter.allow(ip)).count();
        assert_eq!(allowed, 10, "a burst of twice the rate");
        let other: IpAddr = "127.0.0.2".parse().expect("ip");
        assert!(limiter.allow(other), "buckets are per address");
    }
}
