//! Helpers for the fault-injection tests: a scripted server, a tracing recorder and
//! small utilities. Only loopback addresses are ever used.

#![allow(dead_code)]

pub mod server;
pub mod trace;

use std::future::Future;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use linq_api::{Client, ClientBuilder, ErrorKind};
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The API key the tests use; it must never show up in output.
pub const KEY: &str = "sk-test-5e3c9a0b7d41f2";

/// A builder aimed at `base_url`, with short timeouts so that failures stay fast.
pub fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(1))
}

/// A `WebhookSubscription` as the API returns it.
pub fn subscription(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","created_at":"2024-05-01T10:00:00Z","is_active":true,
            "subscribed_events":["message.sent","call.transferred"],
            "target_url":"https://example.com/hooks","updated_at":"2024-05-02T10:00:00Z",
            "phone_numbers":null}}"#
    )
}

/// The API's error envelope.
pub fn envelope(status: u16, code: i64, message: &str) -> String {
    format!(
        r#"{{"error":{{"status":{status},"code":{code},"message":"{message}"}},"success":false}}"#
    )
}

/// The error kind of each error status the spec documents.
pub fn error_kind(status: u16) -> ErrorKind {
    match status {
        400 => ErrorKind::BadRequest,
        401 => ErrorKind::Authentication,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        413 => ErrorKind::ApiStatus,
        422 => ErrorKind::UnprocessableEntity,
        500 => ErrorKind::InternalServer,
        other => panic!("the spec documents no error status {other}"),
    }
}

/// Fails the test if `future` takes longer than `limit`.
pub async fn within<T>(limit: Duration, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("the test took longer than {limit:?}"))
}

/// Tests take this shared, the file-descriptor test exclusively: it counts the
/// process's descriptors, which other tests running in parallel would disturb.
fn suite_lock() -> &'static RwLock<()> {
    static LOCK: OnceLock<RwLock<()>> = OnceLock::new();
    LOCK.get_or_init(|| RwLock::new(()))
}

/// Shared access, for ordinary tests.
pub async fn shared() -> RwLockReadGuard<'static, ()> {
    suite_lock().read().await
}

/// Exclusive access, for the file-descriptor test.
pub async fn exclusive() -> RwLockWriteGuard<'static, ()> {
    suite_lock().write().await
}

/// Open socket descriptors of this process.
///
/// Only sockets: a test that starts while another holds the exclusive lock has
/// already built its runtime (epoll and event descriptors) before it waits.
pub fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|entry| {
                    std::fs::read_link(entry.path())
                        .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

/// TCP connections on this machine from or to `port` that still hold a descriptor
/// (ESTABLISHED or CLOSE_WAIT), from `/proc/net/tcp`.
pub fn live_connections(port: u16) -> usize {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return 0;
    };
    let port = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let columns: Vec<&str> = line.split_whitespace().collect();
            columns.len() > 3
                && (columns[1].ends_with(&port) || columns[2].ends_with(&port))
                && matches!(columns[3], "01" | "08")
        })
        .count()
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) `seconds_ahead` from now.
pub fn http_date_in(seconds_ahead: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let at = now + seconds_ahead;
    let (days, secs) = (at / 86_400, at % 86_400);
    // civil_from_days (Howard Hinnant), for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}
