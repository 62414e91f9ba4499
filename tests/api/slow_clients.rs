//! Slow and idle clients over real TCP: a connection that never finishes its
//! request head, a body that trickles, a kept-alive connection left idle,
//! and the cap on open connections. Timeouts are small here; the assertions
//! only say that something happens within a generous bound.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

/// How long anything that should happen gets before a test gives up on it.
const GENEROUS: Duration = Duration::from_secs(15);

const QUERY: &str = "{ people { totalCount } }";

/// A complete, kept-alive POST of `QUERY`.
fn request(addr: std::net::SocketAddr) -> String {
    let body = json!({ "query": QUERY }).to_string();
    format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Reads one response (head and a `Content-Length` body) off a kept-alive
/// connection; `None` if the connection ended first.
async fn read_response(stream: &mut TcpStream) -> Option<String> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return Some(text);
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Everything the server sends until it closes the connection, or `None`
/// if it is still open after [`GENEROUS`].
async fn until_closed(stream: &mut TcpStream) -> Option<String> {
    let mut bytes = Vec::new();
    let read = async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(GENEROUS, read).await.ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

async fn open_connections(app: &TestApp) -> f64 {
    let request = axum::http::Request::get("/metrics")
        .body(axum::body::Body::empty())
        .expect("request");
    let (_, _, body) = app.send(request).await;
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|line| {
            line.strip_prefix("portfolio_open_connections ")?
                .parse()
                .ok()
        })
        .unwrap_or(f64::NAN)
}

#[tokio::test]
async fn a_connection_that_sends_half_a_request_head_is_closed_after_the_header_read_timeout() {
    let mut test = TestApp::spawn_configured(&Backend::Sqlite, |c| {
        c.http.header_read_timeout = Duration::from_millis(500);
    })
    .await;
    let (addr, stop, server) = test.serve();
    let mut half = TcpStream::connect(addr).await.expect("connect");
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nUser-Ag")
        .await
        .expect("write");
    let mut silent = TcpStream::connect(addr).await.expect("connect");
    assert!(
        until_closed(&mut half).await.is_some(),
        "a half head is closed"
    );
    assert!(
        until_closed(&mut silent).await.is_some(),
        "a connection that sends nothing is closed"
    );
    // A client that sends its head at once is served as before.
    let mut good = TcpStream::connect(addr).await.expect("connect");
    good.write_all(request(addr).as_bytes())
        .await
        .expect("write");
    let response = read_response(&mut good).await.expect("answered");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let _ = stop.send(());
    let _ = server.await;
}

#[tokio::test]
async fn a_request_whose_body_trickles_is_answered_408_and_holds_no_concurrency_slot() {
    let mut test = TestApp::spawn_configured(&Backend::Sqlite, |c| {
        c.http.max_concurrent_requests = 2;
        c.http.body_read_timeout = Duration::from_secs(2);
    })
    .await;
    let (addr, stop, server) = test.serve();
    let mut trickling = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        let (mut reader, mut writer) = stream.into_split();
        // A byte now and then, until the server stops listening.
        let writing = tokio::spawn(async move {
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_millis(300)).await;
                if writer.write_all(b" ").await.is_err() {
                    break;
                }
            }
        });
        let reading = tokio::spawn(async move {
            let mut bytes = Vec::new();
            let _ = tokio::time::timeout(GENEROUS, reader.read_to_end(&mut bytes)).await;
            String::from_utf8_lossy(&bytes).into_owned()
        });
        trickling.push((writing, reading));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Four uploads in progress, a limit of two: a whole request still gets in.
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let response = client
            .post(format!("http://{addr}/graphql"))
            .json(&json!({ "query": QUERY }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["data"]["people"]["totalCount"], 1, "{body}");
    }
    for (writing, reading) in trickling {
        let response = reading.await.expect("no panic");
        writing.abort();
        assert!(response.starts_with("HTTP/1.1 408"), "{response}");
        assert!(
            response.to_ascii_lowercase().contains("connection: close"),
            "{response}"
        );
        let body = &response[response.find("\r\n\r\n").map_or(0, |i| i + 4)..];
        let body: Value = serde_json::from_str(body).expect("a JSON body");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "REQUEST_TIMEOUT",
            "{body}"
        );
    }
    let _ = stop.send(());
    let _ = server.await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_outlives_the_header_read_timeout_and_is_closed_after_the_idle_timeout()
 {
    let mut test = TestApp::spawn_configured(&Backend::Sqlite, |c| {
        c.http.header_read_timeout = Duration::from_millis(300);
        c.http.idle_timeout = Duration::from_secs(4);
    })
    .await;
    let (addr, stop, server) = test.serve();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(request(addr).as_bytes())
        .await
        .expect("write");
    let first = read_response(&mut stream).await.expect("answered");
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    // Idle for longer than the header-read timeout: still open.
    tokio::time::sleep(Duration::from_secs(1)).await;
    stream
        .write_all(request(addr).as_bytes())
        .await
        .expect("write");
    let second = read_response(&mut stream)
        .await
        .expect("the kept-alive connection is still open");
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
    // Then left idle: closed, without a word.
    let rest = until_closed(&mut stream).await;
    assert_eq!(rest.as_deref(), Some(""), "closed after the idle timeout");
    let _ = stop.send(());
    let _ = server.await;
}

#[tokio::test]
async fn the_open_connection_cap_holds() {
    let mut test = TestApp::spawn_configured(&Backend::Sqlite, |c| {
        c.http.max_connections = 2;
    })
    .await;
    let (addr, stop, server) = test.serve();
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(request(addr).as_bytes())
            .await
            .expect("write");
        let response = read_response(&mut stream).await.expect("answered");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        open.push(stream);
    }
    assert_eq!(open_connections(&test).await, 2.0);
    // A third connection completes in the kernel's queue, but is not served
    // while two are open.
    let mut third = TcpStream::connect(addr)
        .await
        .expect("queued by the kernel");
    third
        .write_all(request(addr).as_bytes())
        .await
        .expect("write");
    let early = tokio::time::timeout(Duration::from_secs(1), read_response(&mut third)).await;
    assert!(early.is_err(), "not served over the cap: {early:?}");
    assert_eq!(open_connections(&test).await, 2.0);
    // One closes: the third is taken and answered.
    drop(open.remove(0));
    let response = tokio::time::timeout(GENEROUS, read_response(&mut third))
        .await
        .expect("served once a slot is free")
        .expect("answered");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert_eq!(open_connections(&test).await, 2.0);
    drop(open);
    drop(third);
    let _ = stop.send(());
    let _ = server.await;
}
