//! Benchmark of auto-paging: the generated client's `list_stream` over 100 pages of 100
//! items against a hand-written `reqwest` loop fetching and decoding the same pages,
//! side by side in one run.
//!
//! A local HTTP/1.1 server on 127.0.0.1 (its own thread) serves a cursor-paged list
//! (`chats` + `next_cursor`, `null` on page 100), each page prepared once. Before
//! timing, the bench checks that both sides make exactly 100 requests and see the same
//! 10,000 items. Then rounds run the three sides in mirrored order (ABC CBA): the
//! baseline with its own serde types, the baseline decoding into the generated types,
//! and the generated stream. It reports the median time of a whole listing, the ratio
//! generated/baseline (target: at most 1.10) and generated/baseline-with-the-same-types
//! (what paging itself costs, decoding aside).
//!
//! ```text
//! cargo bench -p client-tests --bench paging              # full run
//! cargo bench -p client-tests --bench paging -- --quick   # seconds, for CI
//! ```
//!
//! The quick mode only checks that everything runs: it never fails on a time.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use paging_api::Client;
use paging_api::types::ChatListParams;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PAGES: usize = 100;
const PER_PAGE: usize = 100;
const KEY: &str = "sk-bench-paging";
const FROM: &str = "+12025550123";

/// Requests the server answered (both clients together).
static REQUESTS: AtomicUsize = AtomicUsize::new(0);

/// The server's answer to `cursor=<page>` (page 0: no cursor).
fn page_response(page: usize) -> Vec<u8> {
    let items: Vec<String> = (0..PER_PAGE)
        .map(|i| {
            let n = page * PER_PAGE + i;
            format!(r#"{{"id":"chat_{n:06}","n":{n}}}"#)
        })
        .collect();
    let next = if page + 1 < PAGES {
        format!("\"{}\"", page + 1)
    } else {
        "null".to_owned()
    };
    let body = format!(r#"{{"chats":[{}],"next_cursor":{next}}}"#, items.join(","));
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn start_server() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    listener.set_nonblocking(true).expect("non-blocking");
    let pages: &'static [Vec<u8>] = (0..PAGES).map(page_response).collect::<Vec<_>>().leak();
    std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
                .expect("server runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, pages));
                }
            });
        })
        .expect("server thread");
    addr
}

/// Answers each GET on one keep-alive connection with the page its `cursor` asks for.
async fn serve(mut stream: TcpStream, pages: &'static [Vec<u8>]) {
    let _ = stream.set_nodelay(true);
    let mut buffer = vec![0u8; 16 * 1024];
    let mut filled = 0;
    loop {
        while let Some(end) = buffer[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            buffer.copy_within(end + 4..filled, 0);
            filled -= end + 4;
            let target = head.split(' ').nth(1).unwrap_or_default();
            let page = target
                .split(['?', '&'])
                .find_map(|pair| pair.strip_prefix("cursor="))
                .and_then(|c| c.parse::<usize>().ok())
                .unwrap_or(0);
            REQUESTS.fetch_add(1, Ordering::Relaxed);
            if stream.write_all(&pages[page.min(PAGES - 1)]).await.is_err() {
                return;
            }
        }
        if filled == buffer.len() {
            return;
        }
        match stream.read(&mut buffer[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(read) => filled += read,
        }
    }
}

// ------------------------------------------------------------------ the baseline

/// The baseline's own types, as a hand-written client would have them.
#[derive(Deserialize)]
struct ListPage {
    chats: Vec<Chat>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Chat {
    id: String,
    n: Option<i64>,
}

/// What a page decodes into: the baseline's own types, or the generated ones (to tell
/// the cost of paging from the cost of decoding).
trait ListBody: serde::de::DeserializeOwned {
    fn into_parts(self) -> (Vec<(String, Option<i64>)>, Option<String>);
}

impl ListBody for ListPage {
    fn into_parts(self) -> (Vec<(String, Option<i64>)>, Option<String>) {
        let items = self.chats.into_iter().map(|c| (c.id, c.n)).collect();
        (items, self.next_cursor)
    }
}

impl ListBody for paging_api::types::ChatListResponse {
    fn into_parts(self) -> (Vec<(String, Option<i64>)>, Option<String>) {
        let items = self.chats.into_iter().map(|c| (c.id, c.n)).collect();
        (items, self.next_cursor.into_option())
    }
}

/// Every item, the hand-written way: a loop of GETs following `next_cursor`.
async fn baseline<L: ListBody>(
    http: &reqwest::Client,
    base: &str,
) -> Result<usize, reqwest::Error> {
    let mut cursor: Option<String> = None;
    let mut count = 0;
    let mut checksum = 0i64;
    loop {
        let mut query: Vec<(&str, String)> =
            vec![("from", FROM.to_owned()), ("limit", PER_PAGE.to_string())];
        if let Some(c) = &cursor {
            query.push(("cursor", c.clone()));
        }
        let response = http
            .get(format!("{base}/chats"))
            .query(&query)
            .bearer_auth(KEY)
            .header("accept", "application/json")
            .send()
            .await?
            .error_for_status()?;
        let page: L = serde_json::from_slice(&response.bytes().await?).expect("decode");
        let (chats, next_cursor) = page.into_parts();
        if chats.is_empty() {
            break;
        }
        for (id, n) in chats {
            count += 1;
            checksum += n.unwrap_or(0) + id.len() as i64;
        }
        match next_cursor {
            Some(c) if !c.is_empty() => cursor = Some(c),
            _ => break,
        }
    }
    std::hint::black_box(checksum);
    Ok(count)
}

/// Every item through the generated client's stream.
async fn generated(client: &Client) -> Result<usize, paging_api::Error> {
    let params = ChatListParams {
        from: FROM.into(),
        limit: Some(PER_PAGE as i64),
        ..Default::default()
    };
    let (count, checksum) = client
        .chats()
        .list_stream(&params)
        .try_fold((0usize, 0i64), |(count, sum), chat| async move {
            Ok((count + 1, sum + chat.n.unwrap_or(0) + chat.id.len() as i64))
        })
        .await?;
    std::hint::black_box(checksum);
    Ok(count)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Which {
    Baseline,
    /// The baseline loop decoding into the generated types.
    BaselineGeneratedTypes,
    Generated,
}

async fn one_listing(
    which: Which,
    http: &reqwest::Client,
    client: &Client,
    base: &str,
) -> Duration {
    let started = Instant::now();
    let count = match which {
        Which::Baseline => baseline::<ListPage>(http, base)
            .await
            .expect("baseline listing"),
        Which::BaselineGeneratedTypes => {
            baseline::<paging_api::types::ChatListResponse>(http, base)
                .await
                .expect("baseline listing")
        }
        Which::Generated => generated(client).await.expect("generated listing"),
    };
    let elapsed = started.elapsed();
    assert_eq!(count, PAGES * PER_PAGE);
    elapsed
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick")
        || std::env::var("BENCH_QUICK").is_ok_and(|value| !value.is_empty() && value != "0");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    runtime.block_on(run(quick));
}

async fn run(quick: bool) {
    let addr = start_server();
    let base = format!("http://{addr}/api");
    let http = reqwest::Client::builder().build().expect("reqwest client");
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&base)
        .build()
        .expect("generated client");

    // Same work on both sides: 100 requests, the same 10,000 items.
    for which in [
        Which::Baseline,
        Which::BaselineGeneratedTypes,
        Which::Generated,
    ] {
        let before = REQUESTS.load(Ordering::SeqCst);
        one_listing(which, &http, &client, &base).await;
        let requests = REQUESTS.load(Ordering::SeqCst) - before;
        assert_eq!(requests, PAGES, "{which:?}: one request per page");
    }

    let rounds = if quick { 2 } else { 12 };
    let warmup = if quick { 1 } else { 5 };
    println!(
        "auto-paging: {PAGES} pages x {PER_PAGE} items from 127.0.0.1, generated stream vs \
         hand-written reqwest loop, {} mode ({rounds} rounds, ABC CBA)",
        if quick { "quick" } else { "full" }
    );
    for _ in 0..warmup {
        one_listing(Which::Baseline, &http, &client, &base).await;
        one_listing(Which::BaselineGeneratedTypes, &http, &client, &base).await;
        one_listing(Which::Generated, &http, &client, &base).await;
    }
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..rounds {
        let mut order = vec![
            Which::Baseline,
            Which::BaselineGeneratedTypes,
            Which::Generated,
        ];
        if round % 2 == 1 {
            order.reverse();
        }
        // ABC CBA: each client runs as often early as late in a round.
        let mirrored: Vec<Which> = order.iter().rev().copied().collect();
        for which in order.into_iter().chain(mirrored) {
            let time = one_listing(which, &http, &client, &base).await;
            times[which as usize].push(time);
        }
    }
    let baseline = median(&mut times[0]);
    let same_types = median(&mut times[1]);
    let generated = median(&mut times[2]);
    let ratio = generated.as_secs_f64() / baseline.as_secs_f64();
    let per_page = |d: Duration| d.as_secs_f64() * 1e6 / PAGES as f64;
    println!(
        "  baseline: {:>8.2} ms per listing ({:.1} us per page)",
        baseline.as_secs_f64() * 1e3,
        per_page(baseline)
    );
    println!(
        "  baseline, generated types: {:>8.2} ms per listing ({:.1} us per page)",
        same_types.as_secs_f64() * 1e3,
        per_page(same_types)
    );
    println!(
        "  generated: {:>8.2} ms per listing ({:.1} us per page)",
        generated.as_secs_f64() * 1e3,
        per_page(generated)
    );
    let paging = generated.as_secs_f64() / same_types.as_secs_f64();
    println!("  ratio generated / baseline with the same types (the cost of paging): {paging:.3}");
    if quick {
        println!("  ratio generated / baseline: {ratio:.3} (quick mode: too few rounds to judge)");
    } else {
        let verdict = if ratio <= 1.10 { "met" } else { "MISSED" };
        println!("  ratio generated / baseline: {ratio:.3} (target <= 1.10: {verdict})");
    }
}
