//! A scripted HTTP/1.1 server on 127.0.0.1, written on raw tokio sockets so that tests
//! control every byte: statuses, headers, delays, connections closed mid-response.
//!
//! Every request is recorded (arrival time, connection, method, target, headers,
//! body). The n-th request (counted across connections) gets the n-th reply of the
//! script; the last reply repeats.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete response; the connection stays open (keep-alive).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Waits, then does the inner reply.
    Delay(Duration, Box<Reply>),
    /// Sends the head of a 200 announcing 100 bytes, a few of them, then closes.
    CloseMidBody,
    /// Closes the connection without answering.
    CloseWithoutResponse,
    /// Sends the head of a 200 and a few bytes of body, then stalls for a minute.
    StallMidBody,
    /// Sends a chunked 200 whose body never ends (until the client hangs up).
    Endless,
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, body: &str) -> Self {
        Self::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// A response with a body of any content type.
    pub fn raw(status: u16, content_type: &str, body: &str) -> Self {
        Self::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// This reply with one more header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Self::Respond { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// This reply after `delay`.
    pub fn after(self, delay: Duration) -> Self {
        Self::Delay(delay, Box::new(self))
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub at: Instant,
    pub connection: usize,
    pub method: String,
    pub target: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Shared {
    script: Vec<Reply>,
    requests: Mutex<Vec<Recorded>>,
}

/// A running server; it stops with the test's runtime.
pub struct Server {
    addr: std::net::SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    /// Starts a server answering with `script`.
    pub async fn start(script: Vec<Reply>) -> Self {
        Self::start_with(|_| script).await
    }

    /// Starts a server answering with the script `script` makes from the server's
    /// base URL (for replies that link back to the server).
    pub async fn start_with(script: impl FnOnce(&str) -> Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let script = script(&format!("http://{addr}/api/partner"));
        assert!(!script.is_empty(), "a script needs at least one reply");
        let shared = Arc::new(Shared {
            script,
            requests: Mutex::new(Vec::new()),
        });
        let accepting = Arc::clone(&shared);
        tokio::spawn(async move {
            let mut next_connection = 0;
            while let Ok((stream, _)) = listener.accept().await {
                next_connection += 1;
                tokio::spawn(serve(stream, next_connection, Arc::clone(&accepting)));
            }
        });
        Self { addr, shared }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Base URL with a path prefix, as the real API has one.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/partner", self.addr)
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("lock").clone()
    }

    /// Number of requests received so far.
    pub fn attempts(&self) -> usize {
        self.shared.requests.lock().expect("lock").len()
    }

    /// Time between consecutive requests.
    pub fn gaps(&self) -> Vec<Duration> {
        let requests = self.requests();
        requests.windows(2).map(|w| w[1].at - w[0].at).collect()
    }
}

/// A base URL on which nothing listens: bind a port, then free it.
pub async fn refused_base_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{addr}/api/partner")
}

async fn serve(mut stream: TcpStream, connection: usize, shared: Arc<Shared>) {
    let mut buffer = Vec::new();
    while let Some((method, target, headers, body)) = read_request(&mut stream, &mut buffer).await {
        let index = {
            let mut requests = shared.requests.lock().expect("lock");
            requests.push(Recorded {
                at: Instant::now(),
                connection,
                method,
                target,
                headers,
                body,
            });
            requests.len() - 1
        };
        let reply = shared
            .script
            .get(index)
            .or(shared.script.last())
            .cloned()
            .expect("non-empty script");
        if !perform(&mut stream, reply).await {
            return;
        }
    }
}

type Request = (String, String, Vec<(String, String)>, Vec<u8>);

/// Reads one request; `None` when the client closed the connection.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        read_more(stream, buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, target) = (
        request_line.next()?.to_owned(),
        request_line.next()?.to_owned(),
    );
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        read_more(stream, buffer).await?;
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some((method, target, headers, body))
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            Some(())
        }
    }
}

/// Carries out `reply`; false when the connection must be closed.
async fn perform(stream: &mut TcpStream, reply: Reply) -> bool {
    const PARTIAL_HEAD: &[u8] =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\":\"sub";
    match reply {
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {status} Scripted\r\n");
            // A 204 has no body and must not announce one.
            if status != 204 && status != 304 {
                out.push_str(&format!("content-length: {}\r\n", body.len()));
            }
            for (name, value) in headers {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
            out.push_str("\r\n");
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&body);
            stream.write_all(&bytes).await.is_ok()
        }
        Reply::Delay(delay, inner) => {
            tokio::time::sleep(delay).await;
            Box::pin(perform(stream, *inner)).await
        }
        Reply::CloseMidBody => {
            let _ = stream.write_all(PARTIAL_HEAD).await;
            let _ = stream.shutdown().await;
            false
        }
        Reply::CloseWithoutResponse => false,
        Reply::StallMidBody => {
            let _ = stream.write_all(PARTIAL_HEAD).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
            false
        }
        Reply::Endless => {
            let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head).await.is_err() {
                return false;
            }
            // 64 KiB chunks of spaces (valid JSON whitespace) until the client leaves.
            let mut chunk = b"10000\r\n".to_vec();
            chunk.extend(std::iter::repeat_n(b' ', 0x10000));
            chunk.extend_from_slice(b"\r\n");
            while stream.write_all(&chunk).await.is_ok() {}
            false
        }
    }
}
