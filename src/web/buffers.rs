//! A bounded pool of read buffers for media bodies up to 1 MiB (the ranges
//! podcast players ask for).
//!
//! Why: a fresh 1 MiB buffer per range costs 256 page faults to fill and is
//! released only when hyper has sent it, so 64 clients meant 64 MiB that
//! glibc then kept resident for good. Pooled buffers stay faulted in and are
//! reused, and there are at most a fixed number of them: when all are out,
//! the caller streams the body in small chunks instead, so memory stays
//! bounded however many clients ask at once.

use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// Buffers of one size, at most `cap` of them in existence.
#[derive(Debug)]
pub struct Pool {
    size: usize,
    cap: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    free: Vec<Vec<u8>>,
    made: usize,
}

impl Pool {
    /// A pool of at most `cap` buffers of `size` bytes each.
    pub fn new(size: usize, cap: usize) -> Arc<Pool> {
        Arc::new(Pool {
            size,
            cap,
            state: Mutex::new(State::default()),
        })
    }

    /// A buffer for a body of `len` bytes, or `None` when all `cap` are in
    /// use (or `len` is larger than the pool's buffers).
    pub fn take(self: &Arc<Self>, len: usize) -> Option<Buffer> {
        if len > self.size {
            return None;
        }
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let buf = match state.free.pop() {
            Some(buf) => buf,
            None if state.made < self.cap => {
                state.made += 1;
                // Zeroed once (by the allocator, page by page), then only
                // ever overwritten: no memset per body.
                vec![0; self.size]
            }
            None => return None,
        };
        Some(Buffer {
            buf,
            len,
            pool: Arc::clone(self),
        })
    }

    fn put_back(&self, buf: Vec<u8>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.free.push(buf);
    }

    /// Buffers created so far.
    #[cfg(test)]
    fn made(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).made
    }
}

/// A buffer on loan from a [`Pool`]; it goes back when dropped, i.e. when
/// the [`Bytes`] made from it has been sent.
#[derive(Debug)]
pub struct Buffer {
    buf: Vec<u8>,
    len: usize,
    pool: Arc<Pool>,
}

impl Buffer {
    /// The `len` bytes to fill (holding whatever the last body left).
    pub fn as_mut(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }

    /// The filled buffer as `Bytes`, returned to the pool when the last
    /// clone is dropped.
    pub fn into_bytes(self) -> Bytes {
        Bytes::from_owner(self)
    }
}

impl AsRef<[u8]> for Buffer {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        self.pool.put_back(std::mem::take(&mut self.buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_reused_and_never_more_than_the_cap() {
        let pool = Pool::new(16, 2);
        let mut a = pool.take(5).expect("first");
        let b = pool.take(8).expect("second");
        assert!(pool.take(1).is_none(), "the cap is 2");
        a.as_mut().copy_from_slice(b"hello");
        let bytes = a.into_bytes();
        assert_eq!(&bytes[..], b"hello");
        assert!(pool.take(1).is_none(), "still lent out as Bytes");
        drop(bytes);
        let mut again = pool.take(16).expect("returned to the pool");
        assert_eq!(again.as_mut().len(), 16, "sized for the new body");
        assert_eq!(pool.made(), 2);
        drop(b);
    }

    #[test]
    fn a_body_larger_than_the_buffers_is_refused() {
        let pool = Pool::new(16, 2);
        assert!(pool.take(17).is_none());
        assert_eq!(pool.made(), 0);
    }
}
