//! What one client may hold of the server at the TCP level: at most [`ConnectionLimits::max`]
//! connections are served at once (the next ones wait in the kernel's backlog until one closes). A
//! connection that has received nothing for [`ConnectionLimits::idle`] since it opened or since the
//! client last sent a byte is closed — a client that sends half its headers and stops, or never sends
//! its body. Once a response has been written, the connection waits [`KEEP_ALIVE`] for the next
//! request: longer than the clients' own pools keep an idle connection (reqwest 90 s, nginx 60 s), so
//! that a client never sends a request on a connection the server is closing at that very moment. A
//! response being written counts as movement: a slow download is not cut.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// The bounds of the connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once.
    pub max: usize,
    /// Time without a byte read or written after which a connection is closed.
    pub idle: Duration,
}

/// Default connections served at once (nginx in front keeps its own, see docs/deployment.md).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default idle time before a connection is closed.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(30);
/// How long a connection waits for the next request after a response.
pub const KEEP_ALIVE: Duration = Duration::from_secs(120);

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max: DEFAULT_MAX_CONNECTIONS,
            idle: DEFAULT_IDLE,
        }
    }
}

/// A listener that hands out at most `max` connections at a time, each closed when idle.
pub struct Bounded {
    inner: TcpListener,
    permits: Arc<Semaphore>,
    idle: Duration,
}

impl Bounded {
    pub fn new(inner: TcpListener, limits: ConnectionLimits) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(limits.max.max(1))),
            idle: limits.idle,
        }
    }
}

impl axum::serve::Listener for Bounded {
    type Io = Watched;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // Wait for a free place before taking the next connection off the backlog.
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        let idle = self.idle;
        (
            Watched {
                stream,
                _permit: permit,
                idle,
                deadline: Box::pin(tokio::time::sleep(idle)),
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection holding its place; reads fail with `TimedOut` past its deadline: `idle` after the last
/// byte received (or the opening), [`KEEP_ALIVE`] after the last byte sent.
pub struct Watched {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl Watched {
    fn moved(&mut self, wait: Duration) {
        self.deadline.as_mut().reset(Instant::now() + wait);
    }
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    let idle = self.idle;
                    self.moved(idle);
                }
                Poll::Ready(r)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle for too long",
                ))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            let wait = KEEP_ALIVE.max(self.idle);
            self.moved(wait);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            let wait = KEEP_ALIVE.max(self.idle);
            self.moved(wait);
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
