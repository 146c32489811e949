//! Slowing password guessing without locking people out.
//!
//! Failed sign-ins are counted per account and per client address over [`WINDOW_MINUTES`]. Past a
//! free allowance, each further attempt must wait a delay that doubles with every failure, up to a
//! ceiling — never a lock of a quarter of an hour: an attacker gets a handful of guesses per hour,
//! the teacher who mistyped waits seconds. The client's address is the peer's, or, behind a proxy
//! named in `REPERE_TRUSTED_PROXIES` (the documented nginx), the right-most address of
//! `X-Forwarded-For` that is not a trusted proxy: the whole académie behind nginx no longer shares one
//! counter. And the account's delay does not apply to a browser that signed in to that account before
//! (a random cookie whose hash is kept): whoever hammers a known address cannot keep its owner out.

use std::net::IpAddr;

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};

/// Failed sign-ins are counted over this window.
pub const WINDOW_MINUTES: i64 = 15;

/// Free failures, then a delay doubling from one second up to `max_delay_s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub free: i64,
    pub max_delay_s: i64,
}

/// Per account (from a browser that never signed in to it): 5 free, then up to 5 minutes.
pub const PER_ACCOUNT: Rule = Rule {
    free: 5,
    max_delay_s: 300,
};
/// Per client address: 10 free, then up to a minute.
pub const PER_CLIENT: Rule = Rule {
    free: 10,
    max_delay_s: 60,
};

/// Seconds still to wait before another attempt is heard, given the failures in the window and when the
/// last one happened; `None` when an attempt may be made now.
pub fn wait(rule: Rule, failures: i64, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<u64> {
    if failures < rule.free {
        return None;
    }
    let delay = 1i64
        .checked_shl(u32::try_from(failures - rule.free).unwrap_or(u32::MAX).min(30))
        .unwrap_or(rule.max_delay_s)
        .min(rule.max_delay_s);
    let until = last? + chrono::Duration::seconds(delay);
    let remaining = (until - now).num_milliseconds();
    (remaining > 0).then(|| u64::try_from(remaining).unwrap_or(0).div_ceil(1000))
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the right-most address
/// of `X-Forwarded-For` that is not a trusted proxy (what a client wrote further left is not believed).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// Parses `REPERE_TRUSTED_PROXIES`: addresses separated by commas.
pub fn parse_proxies(list: &str) -> Result<Vec<IpAddr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| a.parse().map_err(|_| format!("« {a} » n'est pas une adresse IP")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_after_the_free_failures_up_to_a_ceiling() {
        let now = Utc::now();
        let just = Some(now);
        assert_eq!(wait(PER_ACCOUNT, 4, just, now), None);
        assert_eq!(wait(PER_ACCOUNT, 5, just, now), Some(1));
        assert_eq!(wait(PER_ACCOUNT, 8, just, now), Some(8));
        assert_eq!(wait(PER_ACCOUNT, 60, just, now), Some(300));
        assert_eq!(
            wait(PER_ACCOUNT, 8, Some(now - chrono::Duration::seconds(10)), now),
            None
        );
        assert_eq!(wait(PER_CLIENT, 1000, just, now), Some(60));
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_about_the_client() {
        let trusted = parse_proxies("127.0.0.1, ::1").unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 10.0.0.7".parse().unwrap());
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(client_ip(proxy, &h, &trusted), "10.0.0.7".parse::<IpAddr>().unwrap());
        assert_eq!(client_ip(stranger, &h, &trusted), stranger);
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), proxy);
        assert!(parse_proxies("pas-une-ip").is_err());
    }
}
