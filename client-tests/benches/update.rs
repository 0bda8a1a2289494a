//! Benchmark of the generated client's `webhook_subscriptions().update(id, &params)`
//! against a hand-written `reqwest` call of the same request, side by side in one run;
//! a third client is the generated one with one no-op middleware installed (the cost
//! of the middleware hook).
//!
//! Both clients hit the same local HTTP/1.1 server on 127.0.0.1, which answers every
//! request with one fixed `200` (keep-alive). Before measuring, the bench checks that
//! both send the same request (method, target, headers, body) and decode the same
//! value. Then, at concurrency 1 and 64, it warms both up and runs rounds that
//! alternate baseline and generated (ABBA order), so that machine noise hits both
//! alike. It reports per-call latency (median, p99), throughput and the ratios
//! generated/baseline, and heap allocations per call (a counting global allocator,
//! switched on only for a separate, untimed phase; the server's thread is not counted).
//!
//! ```text
//! cargo bench -p client-tests --bench update              # full run
//! cargo bench -p client-tests --bench update -- --quick   # seconds, for CI
//! BENCH_QUICK=1 cargo bench -p client-tests --bench update
//! ```
//!
//! `BENCH_ONLY=generated` (or `baseline`) times one client alone, for profiling
//! (`perf record`); no ratios are printed then.
//!
//! The quick mode only checks that everything runs: it never fails on a time. The
//! client side runs on a current-thread tokio runtime and the server on its own
//! thread, so on a 2-core machine each gets a core (`BENCH_CLIENT_THREADS=N` runs the
//! clients on an N-worker runtime instead).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use linq_api::types::{WebhookEventType, WebhookSubscriptionUpdateParams};
use linq_api::{Client, Nullable};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ------------------------------------------------------------------ allocation count

/// The system allocator, counting allocations while [`COUNTING`] is on.
struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static ALLOCATED_BYTES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Set on the server's thread: its allocations are not the clients'.
    static UNCOUNTED: Cell<bool> = const { Cell::new(false) };
}

fn record(size: usize) {
    if COUNTING.load(Ordering::Relaxed) && !UNCOUNTED.try_with(Cell::get).unwrap_or(true) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(size as u64, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; counting has no effect on
// the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: as for `alloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

// ------------------------------------------------------------------ the request

const KEY: &str = "sk-bench-0123456789abcdef";
const ID: &str = "b2c3d4e5-f6a7-8901-bcde-f23456789012";
const TARGET_URL: &str = "https://webhooks.example.com/linq/events";
const PHONE: &str = "+12025550123";

/// What the server answers to every request: a `WebhookSubscription`.
const RESPONSE_BODY: &str = concat!(
    r#"{"id":"b2c3d4e5-f6a7-8901-bcde-f23456789012","#,
    r#""created_at":"2024-05-01T10:00:00Z","is_active":true,"#,
    r#""subscribed_events":["message.sent","message.delivered","message.read"],"#,
    r#""target_url":"https://webhooks.example.com/linq/events","#,
    r#""updated_at":"2024-05-02T10:00:00.123Z","phone_numbers":["+12025550123"]}"#
);

fn generated_params() -> WebhookSubscriptionUpdateParams {
    WebhookSubscriptionUpdateParams {
        is_active: Some(true),
        phone_numbers: Nullable::Value(vec![PHONE.to_owned()]),
        subscribed_events: Some(vec![
            WebhookEventType::MessageSent,
            WebhookEventType::MessageDelivered,
            WebhookEventType::MessageRead,
        ]),
        target_url: Some(TARGET_URL.to_owned()),
    }
}

// ------------------------------------------------------------------ baseline

/// The hand-written equivalent of `WebhookSubscriptionUpdateParams` (same fields, same
/// order, absent fields left out).
#[derive(Serialize)]
struct UpdateParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    is_active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_numbers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscribed_events: Option<Vec<EventType>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_url: Option<String>,
}

/// The hand-written equivalent of `WebhookEventType`: every known value, and a
/// catch-all for values added later.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum EventType {
    #[serde(rename = "message.sent")]
    MessageSent,
    #[serde(rename = "message.received")]
    MessageReceived,
    #[serde(rename = "message.read")]
    MessageRead,
    #[serde(rename = "message.delivered")]
    MessageDelivered,
    #[serde(rename = "message.failed")]
    MessageFailed,
    #[serde(rename = "message.edited")]
    MessageEdited,
    #[serde(rename = "reaction.added")]
    ReactionAdded,
    #[serde(rename = "reaction.removed")]
    ReactionRemoved,
    #[serde(rename = "participant.added")]
    ParticipantAdded,
    #[serde(rename = "participant.removed")]
    ParticipantRemoved,
    #[serde(rename = "chat.created")]
    ChatCreated,
    #[serde(rename = "chat.group_name_updated")]
    ChatGroupNameUpdated,
    #[serde(rename = "chat.group_icon_updated")]
    ChatGroupIconUpdated,
    #[serde(rename = "chat.group_name_update_failed")]
    ChatGroupNameUpdateFailed,
    #[serde(rename = "chat.group_icon_update_failed")]
    ChatGroupIconUpdateFailed,
    #[serde(rename = "chat.typing_indicator.started")]
    ChatTypingIndicatorStarted,
    #[serde(rename = "chat.typing_indicator.stopped")]
    ChatTypingIndicatorStopped,
    #[serde(rename = "phone_number.status_updated")]
    PhoneNumberStatusUpdated,
    #[serde(rename = "call.initiated")]
    CallInitiated,
    #[serde(rename = "call.ringing")]
    CallRinging,
    #[serde(rename = "call.answered")]
    CallAnswered,
    #[serde(rename = "call.ended")]
    CallEnded,
    #[serde(rename = "call.failed")]
    CallFailed,
    #[serde(rename = "call.declined")]
    CallDeclined,
    #[serde(rename = "call.no_answer")]
    CallNoAnswer,
    #[serde(other)]
    Unknown,
}

/// The hand-written equivalent of `WebhookSubscription`.
#[derive(Debug, Deserialize)]
struct Subscription {
    id: String,
    created_at: DateTime<Utc>,
    is_active: bool,
    subscribed_events: Vec<EventType>,
    target_url: String,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    phone_numbers: Option<Vec<String>>,
}

fn baseline_params() -> UpdateParams {
    UpdateParams {
        is_active: Some(true),
        phone_numbers: Some(vec![PHONE.to_owned()]),
        subscribed_events: Some(vec![
            EventType::MessageSent,
            EventType::MessageDelivered,
            EventType::MessageRead,
        ]),
        target_url: Some(TARGET_URL.to_owned()),
    }
}

/// The two clients and what they send; shared by every task.
struct Clients {
    generated: Client,
    /// The generated client with one middleware that only passes requests on.
    with_middleware: Client,
    generated_params: WebhookSubscriptionUpdateParams,
    baseline: reqwest::Client,
    baseline_params: UpdateParams,
    /// `http://127.0.0.1:PORT/api/partner`
    base_url: String,
}

impl Clients {
    fn new(addr: SocketAddr, user_agent: &str) -> Self {
        let base_url = format!("http://{addr}/api/partner");
        let generated = Client::builder()
            .api_key(KEY)
            .base_url(&base_url)
            .build()
            .expect("generated client");
        let with_middleware = Client::builder()
            .api_key(KEY)
            .base_url(&base_url)
            .middleware(PassOn)
            .build()
            .expect("generated client with a middleware");
        // The settings the generated client uses by default: 60 s per request, 5 s to
        // connect. Retries have no hand-written counterpart: no call here fails.
        let baseline = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("reqwest client");
        Self {
            generated,
            with_middleware,
            generated_params: generated_params(),
            baseline,
            baseline_params: baseline_params(),
            base_url,
        }
    }

    async fn generated_call(&self, client: &Client) -> linq_api::types::WebhookSubscription {
        client
            .webhook_subscriptions()
            .update(ID, &self.generated_params)
            .await
            .unwrap_or_else(|error| panic!("generated client: {error:?}"))
    }

    /// What one would write by hand with reqwest: build the URL, send the JSON body
    /// with the key and the standard headers, check the status, decode the body.
    ///
    /// The JSON steps are what reqwest's `json` feature does (`serde_json::to_vec`
    /// plus a content type; `bytes` then `serde_json::from_slice`), written out so the
    /// workspace's reqwest needs no extra feature.
    async fn baseline_call(&self) -> Subscription {
        let url = format!("{}/v3/webhook-subscriptions/{ID}", self.base_url);
        let body = serde_json::to_vec(&self.baseline_params).expect("serialise");
        let response = self
            .baseline
            .put(url)
            .bearer_auth(KEY)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .unwrap_or_else(|error| panic!("baseline: {error:?}"));
        let bytes = response
            .bytes()
            .await
            .unwrap_or_else(|error| panic!("baseline body: {error:?}"));
        serde_json::from_slice(&bytes).unwrap_or_else(|error| panic!("baseline decode: {error:?}"))
    }

    async fn call(&self, which: Which) {
        match which {
            Which::Baseline => {
                black_box(self.baseline_call().await);
            }
            Which::Generated => {
                black_box(self.generated_call(&self.generated).await);
            }
            Which::Middleware => {
                black_box(self.generated_call(&self.with_middleware).await);
            }
        }
    }
}

/// A middleware that only passes the request on.
struct PassOn;

impl linq_api::Middleware for PassOn {
    fn handle<'a>(
        &'a self,
        request: reqwest::Request,
        next: linq_api::Next<'a>,
    ) -> linq_api::BoxFuture<'a, Result<reqwest::Response, linq_api::Error>> {
        next.run(request)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Baseline,
    Generated,
    Middleware,
}

impl Which {
    const ALL: [Which; 3] = [Which::Baseline, Which::Generated, Which::Middleware];

    fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline (reqwest)",
            Self::Generated => "generated",
            Self::Middleware => "generated+middleware",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

// ------------------------------------------------------------------ server

/// Requests copied while capture is on (to compare what the clients send).
struct Capture {
    on: AtomicBool,
    requests: Mutex<Vec<Vec<u8>>>,
}

static CAPTURE: Capture = Capture {
    on: AtomicBool::new(false),
    requests: Mutex::new(Vec::new()),
};

/// Starts the server on its own thread and current-thread runtime; returns its address.
fn start_server() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    listener.set_nonblocking(true).expect("non-blocking");
    let response: &'static [u8] = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-request-id: req_bench\r\n\r\n{RESPONSE_BODY}",
        RESPONSE_BODY.len()
    )
    .into_bytes()
    .leak();
    std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || {
            UNCOUNTED.with(|uncounted| uncounted.set(true));
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
                .expect("server runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, response));
                }
            });
        })
        .expect("server thread");
    addr
}

/// Answers every request on one keep-alive connection with `response`.
async fn serve(mut stream: TcpStream, response: &'static [u8]) {
    let _ = stream.set_nodelay(true);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut filled = 0;
    loop {
        while let Some(length) = request_length(&buffer[..filled]) {
            if CAPTURE.on.load(Ordering::Relaxed) {
                let request = buffer[..length].to_vec();
                CAPTURE.requests.lock().expect("lock").push(request);
            }
            buffer.copy_within(length..filled, 0);
            filled -= length;
            if stream.write_all(response).await.is_err() {
                return;
            }
        }
        if filled == buffer.len() {
            return; // a request larger than the buffer: not one of ours
        }
        match stream.read(&mut buffer[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(read) => filled += read,
        }
    }
}

/// The length of the complete request at the start of `bytes`, head and body, if it
/// is all there.
fn request_length(bytes: &[u8]) -> Option<usize> {
    let head_end = bytes.windows(4).position(|window| window == b"\r\n\r\n")? + 4;
    let body_length = bytes[..head_end]
        .split(|&byte| byte == b'\n')
        .find_map(|line| {
            let (name, value) = line.split_at(line.iter().position(|&byte| byte == b':')?);
            if !name.eq_ignore_ascii_case(b"content-length") {
                return None;
            }
            std::str::from_utf8(&value[1..]).ok()?.trim().parse().ok()
        })
        .unwrap_or(0);
    let total = head_end + body_length;
    (bytes.len() >= total).then_some(total)
}

/// A captured request: request line, headers (lower-case names, sorted), body.
#[derive(Debug, PartialEq)]
struct Seen {
    request_line: String,
    headers: Vec<(String, String)>,
    body: String,
}

fn parse_request(raw: &[u8]) -> Seen {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete request");
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    headers.sort();
    Seen {
        request_line,
        headers,
        body: body.to_owned(),
    }
}

fn header<'a>(seen: &'a Seen, name: &str) -> &'a str {
    seen.headers
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Sends one request with `call`, returning what the server received.
async fn capture_one(call: impl Future<Output = ()>) -> Seen {
    CAPTURE.requests.lock().expect("lock").clear();
    CAPTURE.on.store(true, Ordering::SeqCst);
    call.await;
    CAPTURE.on.store(false, Ordering::SeqCst);
    let requests = std::mem::take(&mut *CAPTURE.requests.lock().expect("lock"));
    assert_eq!(requests.len(), 1, "one call, one request");
    parse_request(&requests[0])
}

/// Checks that both clients send the same request and decode the same value, and
/// returns them. The baseline sends the generated client's User-Agent (read from its
/// first request), so that the check holds whatever the crate version.
async fn check_same_request(addr: SocketAddr) -> Clients {
    let probe = Clients::new(addr, "probe");
    let generated = capture_one(probe.call(Which::Generated)).await;
    let user_agent = header(&generated, "user-agent").to_owned();
    assert!(
        user_agent.starts_with("linq-api-rust/"),
        "generated User-Agent: {user_agent:?}"
    );
    let clients = Clients::new(addr, &user_agent);
    let baseline = capture_one(clients.call(Which::Baseline)).await;
    assert_eq!(
        generated, baseline,
        "the baseline must send the generated client's request"
    );
    assert_eq!(
        generated.request_line,
        format!("PUT /api/partner/v3/webhook-subscriptions/{ID} HTTP/1.1")
    );
    assert_eq!(header(&generated, "authorization"), format!("Bearer {KEY}"));
    assert_eq!(header(&generated, "accept"), "application/json");
    assert_eq!(header(&generated, "content-type"), "application/json");

    let with_middleware = capture_one(clients.call(Which::Middleware)).await;
    assert_eq!(
        generated, with_middleware,
        "the no-op middleware must not change the request"
    );

    let decoded = clients.generated_call(&clients.generated).await;
    let hand = clients.baseline_call().await;
    assert_eq!(
        (
            &decoded.id,
            decoded.created_at,
            decoded.is_active,
            &decoded.target_url,
            decoded.updated_at,
            decoded.phone_numbers.as_option(),
        ),
        (
            &hand.id,
            hand.created_at,
            hand.is_active,
            &hand.target_url,
            hand.updated_at,
            hand.phone_numbers.as_ref(),
        )
    );
    assert_eq!(
        decoded.subscribed_events.len(),
        hand.subscribed_events.len()
    );
    assert_eq!(hand.subscribed_events[2], EventType::MessageRead);
    assert_eq!(
        decoded.subscribed_events[2],
        WebhookEventType::MessageRead,
        "generated decodes the same events"
    );
    println!(
        "request checked: {} ({} headers, {}-byte JSON body), same for both clients",
        generated.request_line,
        generated.headers.len(),
        generated.body.len()
    );
    clients
}

// ------------------------------------------------------------------ measuring

/// Runs `calls` calls of `which` split over `concurrency` tasks; returns every call's
/// latency in nanoseconds and the wall time of the whole round.
async fn round(
    clients: &Arc<Clients>,
    which: Which,
    concurrency: usize,
    calls: usize,
) -> (Vec<u64>, Duration) {
    let per_task = calls.div_ceil(concurrency);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let clients = Arc::clone(clients);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let start = Instant::now();
                    clients.call(which).await;
                    latencies.push(start.elapsed().as_nanos() as u64);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(per_task * concurrency);
    for task in tasks {
        latencies.extend(task.await.expect("bench task"));
    }
    (latencies, started.elapsed())
}

/// Heap allocations (and bytes) per call of `which`, over `calls` calls at
/// `concurrency`.
async fn allocations_per_call(
    clients: &Arc<Clients>,
    which: Which,
    concurrency: usize,
    calls: usize,
) -> (f64, f64) {
    let per_task = calls.div_ceil(concurrency);
    ALLOCATIONS.store(0, Ordering::SeqCst);
    ALLOCATED_BYTES.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    if concurrency == 1 {
        for _ in 0..per_task {
            clients.call(which).await;
        }
    } else {
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let clients = Arc::clone(clients);
                tokio::spawn(async move {
                    for _ in 0..per_task {
                        clients.call(which).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("bench task");
        }
    }
    COUNTING.store(false, Ordering::SeqCst);
    let total = (per_task * concurrency) as f64;
    (
        ALLOCATIONS.load(Ordering::SeqCst) as f64 / total,
        ALLOCATED_BYTES.load(Ordering::SeqCst) as f64 / total,
    )
}

/// What one client did at one concurrency, all rounds together.
#[derive(Default)]
struct Stats {
    latencies: Vec<u64>,
    wall: Duration,
    calls: usize,
    /// Throughput of each round, to show the spread.
    round_throughputs: Vec<f64>,
}

impl Stats {
    fn add(&mut self, latencies: Vec<u64>, wall: Duration) {
        self.calls += latencies.len();
        self.wall += wall;
        self.round_throughputs
            .push(latencies.len() as f64 / wall.as_secs_f64());
        self.latencies.extend(latencies);
    }

    fn finish(&mut self) {
        self.latencies.sort_unstable();
        self.round_throughputs.sort_by(f64::total_cmp);
    }

    /// The `q` quantile of per-call latency, in microseconds (nearest rank).
    fn quantile_us(&self, q: f64) -> f64 {
        let n = self.latencies.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.latencies[rank - 1] as f64 / 1000.0
    }

    fn throughput(&self) -> f64 {
        self.calls as f64 / self.wall.as_secs_f64()
    }

    /// Wall time per call (the inverse of the throughput), in microseconds.
    fn wall_per_call_us(&self) -> f64 {
        self.wall.as_secs_f64() * 1e6 / self.calls as f64
    }
}

struct Settings {
    quick: bool,
    /// Time only this client (`BENCH_ONLY`), for profiling.
    only: Option<Which>,
    rounds: usize,
    warmup_calls: usize,
    alloc_calls: usize,
    /// (concurrency, calls per round per client)
    levels: [(usize, usize); 2],
}

impl Settings {
    fn from_env() -> Self {
        let quick = std::env::args().any(|arg| arg == "--quick")
            || std::env::var("BENCH_QUICK").is_ok_and(|value| !value.is_empty() && value != "0");
        let only = match std::env::var("BENCH_ONLY").as_deref() {
            Ok("generated") => Some(Which::Generated),
            Ok("baseline") => Some(Which::Baseline),
            Ok("middleware") => Some(Which::Middleware),
            _ => None,
        };
        if quick {
            Self {
                quick,
                only,
                rounds: 2,
                warmup_calls: 200,
                alloc_calls: 200,
                levels: [(1, 300), (64, 1_280)],
            }
        } else {
            Self {
                quick,
                only,
                rounds: 20,
                warmup_calls: 4_000,
                alloc_calls: 2_000,
                levels: [(1, 2_000), (64, 12_800)],
            }
        }
    }
}

fn main() {
    let settings = Settings::from_env();
    let client_threads: usize = std::env::var("BENCH_CLIENT_THREADS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let runtime = if client_threads == 0 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(client_threads)
            .enable_all()
            .build()
    }
    .expect("client runtime");
    runtime.block_on(run(settings, client_threads));
}

async fn run(settings: Settings, client_threads: usize) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "update call: generated client vs hand-written reqwest, 127.0.0.1, {} mode",
        if settings.quick { "quick" } else { "full" }
    );
    println!(
        "{cores} cores; clients on {}, server on its own thread; {} rounds per level, \
         baseline and generated alternating (ABBA)",
        if client_threads == 0 {
            "a current-thread runtime".to_owned()
        } else {
            format!("a {client_threads}-worker runtime")
        },
        settings.rounds
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!("load average at start: {}", load.join(" "));
    }

    let addr = start_server();
    let clients = Arc::new(check_same_request(addr).await);

    let mut results = Vec::new();
    for (concurrency, calls) in settings.levels {
        for which in Which::ALL {
            round(&clients, which, concurrency, settings.warmup_calls).await;
        }
        let mut stats: [Stats; 3] = Default::default();
        for index in 0..settings.rounds {
            // ABC, CBA, ...: each client is as often early as late in a round pair.
            let mut order = Which::ALL;
            if index % 2 == 1 {
                order.reverse();
            }
            for which in order {
                if settings.only.is_some_and(|only| only != which) {
                    continue;
                }
                let (latencies, wall) = round(&clients, which, concurrency, calls).await;
                stats[which.index()].add(latencies, wall);
            }
        }
        stats.iter_mut().for_each(Stats::finish);
        results.push((concurrency, stats));
    }

    let mut allocations = Vec::new();
    for (concurrency, _) in settings.levels {
        for which in Which::ALL {
            let (count, bytes) =
                allocations_per_call(&clients, which, concurrency, settings.alloc_calls).await;
            allocations.push((concurrency, which, count, bytes));
        }
    }

    print_report(settings.quick, &results, &allocations);
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        println!("load average at end: {}", load.join(" "));
    }
}

fn print_report(
    quick: bool,
    results: &[(usize, [Stats; 3])],
    allocations: &[(usize, Which, f64, f64)],
) {
    println!();
    println!(
        "{:<20} {:>5} {:>8} {:>11} {:>9} {:>10} {:>9} {:>21}",
        "client",
        "conc",
        "calls",
        "median µs",
        "p99 µs",
        "wall µs",
        "calls/s",
        "round calls/s min-max"
    );
    for (concurrency, stats) in results {
        for (which, stats) in Which::ALL.into_iter().zip(stats) {
            if stats.calls == 0 {
                continue;
            }
            println!(
                "{:<20} {:>5} {:>8} {:>11.1} {:>9.1} {:>10.2} {:>9.0} {:>10.0}-{:<10.0}",
                which.name(),
                concurrency,
                stats.calls,
                stats.quantile_us(0.5),
                stats.quantile_us(0.99),
                stats.wall_per_call_us(),
                stats.throughput(),
                stats.round_throughputs.first().copied().unwrap_or(0.0),
                stats.round_throughputs.last().copied().unwrap_or(0.0),
            );
        }
    }
    println!("(wall µs: round wall time / calls, the inverse of calls/s)");
    // With one client timed alone (BENCH_ONLY) there is nothing to compare.
    let compared = results
        .iter()
        .all(|(_, stats)| stats.iter().all(|stats| stats.calls > 0));
    if compared {
        println!();
        if quick {
            println!("ratios generated / baseline (quick mode: too few calls to judge the target)");
        } else {
            println!("ratios generated / baseline (per call; <= 1.10 meets the target)");
        }
        println!(
            "{:<20} {:>5} {:>8} {:>8} {:>10} {:>10}",
            "client", "conc", "median", "p99", "wall/call", "target"
        );
        for (concurrency, stats) in results {
            let baseline = &stats[Which::Baseline.index()];
            for which in [Which::Generated, Which::Middleware] {
                let generated = &stats[which.index()];
                let median = generated.quantile_us(0.5) / baseline.quantile_us(0.5);
                let p99 = generated.quantile_us(0.99) / baseline.quantile_us(0.99);
                let wall = generated.wall_per_call_us() / baseline.wall_per_call_us();
                let verdict = match (quick, median <= 1.10 && wall <= 1.10) {
                    (true, _) => "-",
                    (false, true) => "met",
                    (false, false) => "MISSED",
                };
                println!(
                    "{:<20} {:>5} {:>7.3}x {:>7.3}x {:>9.3}x {:>10}",
                    which.name(),
                    concurrency,
                    median,
                    p99,
                    wall,
                    verdict
                );
            }
        }
    }

    println!();
    println!("heap allocations per call (counting allocator, server thread excluded)");
    println!(
        "{:<20} {:>5} {:>12} {:>12}",
        "client", "conc", "allocations", "bytes"
    );
    for (concurrency, which, count, bytes) in allocations {
        println!(
            "{:<20} {:>5} {:>12.1} {:>12.0}",
            which.name(),
            concurrency,
            count,
            bytes
        );
    }
}
