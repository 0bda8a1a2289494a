//! Retry policy, matching the official SDKs: what is retried and how long to wait.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::http_date;

/// Retries made when neither the client nor the request says otherwise.
pub(crate) const DEFAULT_MAX_RETRIES: u32 = 2;
/// Delay before the first retry, doubled for each further retry...
const INITIAL_DELAY: Duration = Duration::from_millis(500);
/// ...up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest wait a server may ask for with `retry-after`; a longer (or
/// unparseable, or non-positive) one falls back to the backoff, so a broken or hostile
/// server cannot park the client.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether an error response should be retried (retries left permitting).
///
/// The server's `x-should-retry: true|false` decides when present; otherwise 408, 409,
/// 429 and every 5xx are retried.
pub(crate) fn should_retry(status: StatusCode, headers: &HeaderMap) -> bool {
    server_hint(headers).unwrap_or(matches!(status.as_u16(), 408 | 409 | 429 | 500..=599))
}

/// Whether an error response to a request that must not be processed twice (a POST or
/// PATCH without idempotency key, under `retry_non_idempotent(false)`) should be
/// retried: only when it shows the request was not processed, a 429 or the server's
/// `x-should-retry: true`.
pub(crate) fn should_retry_unprocessed(status: StatusCode, headers: &HeaderMap) -> bool {
    server_hint(headers).unwrap_or(status == StatusCode::TOO_MANY_REQUESTS)
}

/// The server's `x-should-retry: true|false`, if it sent one.
fn server_hint(headers: &HeaderMap) -> Option<bool> {
    let hint = headers.get("x-should-retry")?.to_str().ok()?.trim();
    if hint.eq_ignore_ascii_case("true") {
        Some(true)
    } else if hint.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// How long to wait before retry number `retry` (0 for the first retry), given the
/// headers of the failed attempt's response, if there was one.
pub(crate) fn delay(retry: u32, headers: Option<&HeaderMap>) -> Duration {
    headers
        .and_then(|headers| retry_after(headers, SystemTime::now()))
        .unwrap_or_else(|| backoff(retry, jitter()))
}

/// The delay the server asks for, if it is more than zero and at most 60 s.
///
/// `retry-after-ms` (milliseconds) is read first; when it is missing or not a number,
/// `retry-after` (seconds, possibly fractional, or an HTTP date relative to `now`).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let seconds = match text("retry-after-ms").and_then(parse_number) {
        Some(millis) => millis / 1000.0,
        None => {
            let value = text("retry-after")?;
            match parse_number(value) {
                Some(seconds) => seconds,
                None => {
                    let at = http_date::parse(value)?;
                    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
                    // Dates are whole seconds; the difference is precise enough as f64.
                    at as f64 - now
                }
            }
        }
    };
    if seconds > 0.0 && seconds <= MAX_RETRY_AFTER.as_secs_f64() {
        Duration::try_from_secs_f64(seconds).ok()
    } else {
        None
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse().ok()
}

/// `min(0.5 s * 2^retry, 8 s) * jitter`.
pub(crate) fn backoff(retry: u32, jitter: f64) -> Duration {
    // 2^5 * 0.5 s already exceeds the cap; clamping the exponent avoids overflow.
    let exponent = i32::try_from(retry.min(5)).unwrap_or(5);
    let base = (INITIAL_DELAY.as_secs_f64() * 2f64.powi(exponent)).min(MAX_BACKOFF.as_secs_f64());
    Duration::try_from_secs_f64(base * jitter).unwrap_or(MAX_BACKOFF)
}

/// A random factor in (0.75, 1], spreading out clients that failed together.
pub(crate) fn jitter() -> f64 {
    1.0 - 0.25 * random_unit()
}

/// A uniform number in [0, 1).
///
/// Not cryptographic and need not be: std's `RandomState` is randomly keyed per
/// process (and varies per instance), so hashing a counter with it gives independent
/// values without a dependency on `rand`.
fn random_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    // The top 53 bits fill an f64 mantissa exactly.
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Waits before a retry. Every retry sleeps through here, never longer than 60 s
/// whatever the computed delay.
pub(crate) async fn sleep(delay: Duration) {
    tokio::time::sleep(capped(delay)).await;
}

/// `delay`, but at most 60 s.
fn capped(delay: Duration) -> Duration {
    delay.min(MAX_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn now() -> SystemTime {
        // 2024-01-01T00:00:00Z, so HTTP dates in the tests are fixed.
        UNIX_EPOCH + Duration::from_secs(1_704_067_200)
    }

    fn after(pairs: &[(&'static str, &'static str)]) -> Option<Duration> {
        retry_after(&headers(pairs), now())
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(
            after(&[("retry-after-ms", "250")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            after(&[("retry-after-ms", "1.5")]),
            Some(Duration::from_micros(1500))
        );
        assert_eq!(after(&[("retry-after", "3")]), Some(Duration::from_secs(3)));
        assert_eq!(
            after(&[("retry-after", " 0.25 ")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            after(&[("retry-after", "60")]),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            after(&[("retry-after", "Mon, 01 Jan 2024 00:00:07 GMT")]),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn retry_after_ms_wins_unless_unparseable() {
        let both = [("retry-after-ms", "100"), ("retry-after", "5")];
        assert_eq!(after(&both), Some(Duration::from_millis(100)));
        let bad_ms = [("retry-after-ms", "soon"), ("retry-after", "5")];
        assert_eq!(after(&bad_ms), Some(Duration::from_secs(5)));
        // A parseable but out-of-range ms value does not fall through (as in the SDKs).
        let long_ms = [("retry-after-ms", "600000"), ("retry-after", "5")];
        assert_eq!(after(&long_ms), None);
    }

    #[test]
    fn retry_after_out_of_range_or_garbage_is_ignored() {
        for value in [
            "600",
            "60.001",
            "0",
            "-5",
            "garbage",
            "",
            "NaN",
            "inf",
            "Mon, 01 Jan 2024 00:00:00 GMT", // now
            "Sun, 31 Dec 2023 23:59:00 GMT", // in the past
            "Mon, 01 Jan 2024 00:10:00 GMT", // ten minutes ahead
        ] {
            let map = {
                let mut map = HeaderMap::new();
                map.insert("retry-after", HeaderValue::from_str(value).unwrap());
                map
            };
            assert_eq!(retry_after(&map, now()), None, "{value:?}");
        }
        assert_eq!(after(&[("retry-after-ms", "-1")]), None);
        assert_eq!(after(&[]), None);
    }

    #[test]
    fn delay_uses_retry_after_else_backoff() {
        let asked = headers(&[("retry-after-ms", "10")]);
        assert_eq!(delay(0, Some(&asked)), Duration::from_millis(10));
        let ignored = headers(&[("retry-after", "600")]);
        for (retry, hint) in [(0, None), (1, Some(&ignored))] {
            let wait = delay(retry, hint);
            let base = Duration::from_millis(500 << retry);
            assert!(wait > base.mul_f64(0.75) && wait <= base, "{wait:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let millis = |retry| backoff(retry, 1.0).as_millis();
        assert_eq!(
            (0..6).map(millis).collect::<Vec<_>>(),
            [500, 1000, 2000, 4000, 8000, 8000]
        );
        assert_eq!(millis(u32::MAX), 8000);
        assert_eq!(backoff(0, 0.75).as_millis(), 375);
        assert_eq!(backoff(10, 0.75).as_millis(), 6000);
    }

    #[test]
    fn jitter_stays_in_bounds_and_varies() {
        let samples: Vec<f64> = (0..10_000).map(|_| jitter()).collect();
        assert!(samples.iter().all(|j| *j > 0.75 && *j <= 1.0));
        let (low, high) = samples
            .iter()
            .fold((1.0f64, 0.0f64), |(lo, hi), j| (lo.min(*j), hi.max(*j)));
        // 10,000 uniform draws cover nearly the whole interval.
        assert!(low < 0.76 && high > 0.99, "{low} {high}");
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert!((mean - 0.875).abs() < 0.01, "{mean}");
    }

    #[test]
    fn retried_statuses() {
        let none = HeaderMap::new();
        for status in [408, 409, 429, 500, 502, 503, 504, 599] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(should_retry(status, &none), "{status}");
        }
        for status in [400, 401, 403, 404, 410, 422, 418, 301] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(!should_retry(status, &none), "{status}");
        }
    }

    #[test]
    fn unprocessed_only_retries_429_or_on_request() {
        let none = HeaderMap::new();
        let status = |code| StatusCode::from_u16(code).unwrap();
        assert!(should_retry_unprocessed(status(429), &none));
        for code in [408, 409, 500, 503] {
            assert!(!should_retry_unprocessed(status(code), &none), "{code}");
        }
        let yes = headers(&[("x-should-retry", "true")]);
        assert!(should_retry_unprocessed(status(503), &yes));
    }

    #[test]
    fn x_should_retry_overrides() {
        let yes = headers(&[("x-should-retry", "true")]);
        let no = headers(&[("x-should-retry", "false")]);
        let junk = headers(&[("x-should-retry", "maybe")]);
        assert!(should_retry(StatusCode::BAD_REQUEST, &yes));
        assert!(!should_retry(StatusCode::SERVICE_UNAVAILABLE, &no));
        assert!(!should_retry(StatusCode::TOO_MANY_REQUESTS, &no));
        assert!(should_retry(StatusCode::SERVICE_UNAVAILABLE, &junk));
        assert!(!should_retry(StatusCode::BAD_REQUEST, &junk));
    }

    #[test]
    fn sleeps_are_capped_at_sixty_seconds() {
        assert_eq!(capped(Duration::from_secs(600)), Duration::from_secs(60));
        assert_eq!(capped(Duration::from_secs(60)), Duration::from_secs(60));
        assert_eq!(
            capped(Duration::from_millis(400)),
            Duration::from_millis(400)
        );
    }
}
