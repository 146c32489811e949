//! What a client may hold of the server at the TCP level: a connection whose headers never finish is
//! closed once idle, and past the cap of connections the next one waits for a place instead of being
//! served beside them — then is served.

use std::time::{Duration, Instant};

use repere_server::connections::ConnectionLimits;
use repere_tests::{TestApp, backends, fresh_database};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const IDLE: Duration = Duration::from_secs(1);

/// A connection that sent half its headers; resolves to when the server closed it.
async fn stalled(app: &TestApp) -> tokio::task::JoinHandle<Instant> {
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET /api HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 256];
        // Closed (0 bytes or a reset), with no answer: the headers were never complete.
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => Instant::now(),
            Ok(n) => panic!("an answer to half a request: {}", String::from_utf8_lossy(&buf[..n])),
        }
    })
}

#[tokio::test]
async fn half_sent_headers_are_let_go_and_the_cap_makes_the_next_client_wait_its_turn() {
    for backend in backends() {
        let url = fresh_database(backend).await;
        let app = TestApp::configured(backend, url, |c| {
            c.connections = ConnectionLimits { max: 3, idle: IDLE }
        })
        .await;
        // Alone: closed once idle, well before the minutes a stalled client used to hold it.
        let started = Instant::now();
        let closed = tokio::time::timeout(IDLE * 20, stalled(&app).await)
            .await
            .expect("the server closes a connection whose headers never finish")
            .unwrap();
        assert!(closed >= started + IDLE, "not closed before it was idle");

        // Three such connections fill the places; a fourth client waits, then is served.
        let held = [stalled(&app).await, stalled(&app).await, stalled(&app).await];
        tokio::time::sleep(Duration::from_millis(100)).await;
        // A client of its own: no pooled connection already holding a place.
        let fourth = reqwest::Client::new();
        let answer = tokio::time::timeout(IDLE * 20, fourth.get(format!("{}/api", app.base())).send())
            .await
            .expect("served once a place is free")
            .unwrap();
        let answered = Instant::now();
        assert_eq!(answer.status(), 200);
        let mut freed = Vec::new();
        for h in held {
            freed.push(h.await.unwrap());
        }
        let first_free = freed.iter().min().unwrap();
        assert!(
            answered >= *first_free,
            "the fourth client was served only once a held place was given back"
        );
        app.stop().await;
    }
}
