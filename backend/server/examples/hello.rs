//! The ceiling for small responses on this machine: an axum "hello world" on the same runtime
//! settings as `repere serve` (benchmarks only: `cargo run --release -p repere-server --example hello`).

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8383".into());
    let app = Router::new().route("/", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("hello on http://{addr}");
    axum::serve(listener, app).await
}
