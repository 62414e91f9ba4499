//! One client connection: hyper's HTTP/1 server, with a header-read timeout
//! that is also the bound on a kept-alive connection's wait for its next
//! request.
//!
//! hyper starts its header-read timer whenever a connection is ready for a
//! request head: when it is accepted, and again as soon as a response has
//! been sent. Left alone, that closes every idle kept-alive connection after
//! the header-read timeout, a few seconds, which a load balancer in front
//! pays for: it reuses a connection the server is closing at that moment and
//! answers its client 502. So hyper gets a timer of its own per connection
//! ([`HeadTimer`]) that counts the first request head of a connection from
//! the moment it is accepted, and a later one from its first byte, the wait
//! for that byte being bounded by the idle timeout instead.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many reads brought bytes on one connection.
#[derive(Debug, Default)]
pub struct Reads(AtomicU64);

impl Reads {
    fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Whether the client has sent anything at all.
    pub fn any(&self) -> bool {
        self.count() > 0
    }
}

/// A stream that counts its reads in [`Reads`].
pub struct Counted<T> {
    inner: T,
    reads: Arc<Reads>,
}

impl<T> Counted<T> {
    pub fn new(inner: T, reads: Arc<Reads>) -> Self {
        Counted { inner, reads }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Counted<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.reads.0.fetch_add(1, Ordering::Relaxed);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counted<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The timer of one connection's header-read timeout (hyper's HTTP/1 server
/// uses its timer for nothing else).
#[derive(Clone)]
pub struct HeadTimer {
    reads: Arc<Reads>,
    header_read: Duration,
    idle: Duration,
    first_armed: Arc<AtomicBool>,
}

impl HeadTimer {
    pub fn new(reads: Arc<Reads>, header_read: Duration, idle: Duration) -> Self {
        HeadTimer {
            reads,
            header_read,
            idle,
            first_armed: Arc::default(),
        }
    }
}

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let fixed = |deadline: Instant| HeadSleep {
            sleep: Box::pin(tokio::time::sleep_until(deadline.into())),
            reads: self.reads.clone(),
            idle_since: None,
            header_read: self.header_read,
        };
        if !self.first_armed.swap(true, Ordering::Relaxed) {
            // The first request: its head is due within the header-read
            // timeout of the connection being accepted.
            return Box::pin(fixed(deadline));
        }
        // A later request on a kept-alive connection: idle until its first
        // byte, then the header-read timeout runs from there.
        let mut sleep = fixed(Instant::now() + self.idle);
        sleep.idle_since = Some(self.reads.count());
        Box::pin(sleep)
    }
}

/// A deadline that moves once, from the idle timeout to the header-read
/// timeout, when the client sends the first byte of its next request. hyper
/// polls it each time the connection wakes while a head is incomplete, which
/// includes every read, so no other wake-up is needed.
struct HeadSleep {
    sleep: Pin<Box<tokio::time::Sleep>>,
    reads: Arc<Reads>,
    /// The read count when the wait began, while no byte has come since.
    idle_since: Option<u64>,
    header_read: Duration,
}

impl std::future::Future for HeadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(reads) = self.idle_since
            && self.reads.count() != reads
        {
            self.idle_since = None;
            let deadline = tokio::time::Instant::now() + self.header_read;
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for HeadSleep {}
