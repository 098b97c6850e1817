//! Slow and silent clients cannot hold the service: half-sent requests and silent sockets are
//! closed after the header deadline, /healthz answers meanwhile, and a shutdown with a
//! half-sent request open returns within its deadline (so leases are released and the
//! process exits).

use std::sync::Arc;
use std::time::{Duration, Instant};

use roster_server::listen::{serve, Limits};
use roster_server::{app, AppState};
use roster_store::{SqlStore, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_closed_and_health_still_answers() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store: Arc<dyn Store> = Arc::new(SqlStore::in_memory().await.unwrap());
    let (router, _) = app(Arc::new(AppState::new(store, vec![], vec![], None)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = Limits {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_secs(1),
        max_connections: 64,
        shutdown_deadline: Duration::from_secs(1),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, limits, async {
        let _ = stopped.await;
    }));
    // 300 half-sent requests and 20 silent sockets, more than the server keeps open at once.
    let mut slow = Vec::new();
    for i in 0..320 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        if i < 300 {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\n").await.unwrap();
        }
        slow.push(s);
    }
    let started = Instant::now();
    let http = reqwest::Client::new();
    let health = http.get(format!("http://{addr}/healthz")).timeout(Duration::from_secs(20)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(10), "/healthz answered in {:?}", started.elapsed());
    // A half-sent request's socket is closed by the server.
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(5), slow[0].read(&mut buf)).await;
    assert!(matches!(n, Ok(Ok(_)) | Ok(Err(_))), "closed (or answered 408) after the header deadline");
    // A shutdown with a half-sent request open returns within its deadline.
    let mut open = TcpStream::connect(addr).await.unwrap();
    open.write_all(b"POST /api/v1/accounts HTTP/1.1\r\nHost: roster\r\nContent-Length: 100\r\n\r\nab").await.unwrap();
    let t = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("serve returned").unwrap().unwrap();
    assert!(t.elapsed() < Duration::from_secs(3), "shut down in {:?}", t.elapsed());
}
