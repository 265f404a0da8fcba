//! The mappings [`super::sendfile::Sendfile`] recognises (Linux): every
//! live mapping's address range, with the file and offset its bytes come
//! from, so a buffer hyper asks to write can be sent from the file instead.
//!
//! Safety argument. A memory mapping is only sound to *read* while nobody
//! changes the file under it: another program writing it makes the bytes
//! change under a `&[u8]`, and truncating it makes a read past the new end
//! fault with `SIGBUS`. Two kinds of file are mapped here:
//!
//! - The feed spool's file ([`map_spool`]): an anonymous temporary file,
//!   unlinked before it was mapped, so no other process can open it by
//!   name; its only descriptor is ours, it was written completely before
//!   mapping and is never written, truncated or resized again. Reading it
//!   is sound (the in-process tests read it).
//! - A media file ([`map_media`]): another program may change it while it
//!   is mapped (a producer copying over it in place). So its mapping is
//!   never read by this process: it is returned as a [`SendOnly`], which
//!   can only become a response body; the compression layer passes audio
//!   and images through untouched, and [`super::sendfile::Sendfile`] hands
//!   the kernel the file and offset instead of the bytes (a truncated file
//!   gives a short count, not a fault). The CLI itself only ever replaces
//!   media files under new names, never in place.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;

use super::SendOnly;

/// A registered mapping: the address range of its bytes, and the file
/// that holds them from offset `base` on.
pub(super) struct Region {
    pub(super) id: u64,
    len: usize,
    file: Arc<File>,
    base: u64,
}

/// Every live mapping, by start address: the feeds' made by [`map_spool`]
/// (the show's feed in three codings, and the previous revision's while a
/// response still sends it) and one per media response in flight
/// ([`map_media`]).
pub(super) static REGIONS: RwLock<BTreeMap<usize, Region>> = RwLock::new(BTreeMap::new());

/// Names regions, so a mapping removes its own entry and no other.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// The file behind `buf` and the offset of `buf` in it, when `buf` lies
/// wholly inside a registered mapping.
pub(super) fn lookup(buf: &[u8]) -> Option<(Arc<File>, u64)> {
    if buf.is_empty() {
        return None;
    }
    let addr = buf.as_ptr().addr();
    let regions = REGIONS.read().unwrap_or_else(PoisonError::into_inner);
    let (start, r) = regions.range(..=addr).next_back()?;
    if addr + buf.len() > start + r.len {
        return None;
    }
    let offset = r.base + u64::try_from(addr - start).ok()?;
    Some((Arc::clone(&r.file), offset))
}

/// Registers `map`, whose bytes are those of `file` from `base` on, and
/// returns it as [`Bytes`] that unregister it when the last clone drops.
fn register(map: memmap2::Mmap, file: Arc<File>, base: u64) -> Bytes {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    REGIONS
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(
            map.as_ptr().addr(),
            Region {
                id,
                len: map.len(),
                file,
                base,
            },
        );
    Bytes::from_owner(Mapped { map, id })
}

/// The owner of a mapping inside [`Bytes`]: unregisters it before it is
/// unmapped, so an address reused by a later mapping never finds this file.
struct Mapped {
    map: memmap2::Mmap,
    id: u64,
}

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        &self.map
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        let start = self.map.as_ptr().addr();
        let mut regions = REGIONS.write().unwrap_or_else(PoisonError::into_inner);
        if regions.get(&start).is_some_and(|r| r.id == self.id) {
            regions.remove(&start);
        }
    }
}

/// Maps the finished spool file `file` whole, registered for `sendfile`.
#[expect(
    unsafe_code,
    reason = "mapping a file is unsafe when others can change it; this one nobody else can"
)]
pub(super) fn map_spool(file: File) -> io::Result<Bytes> {
    // SAFETY: see the module docs: an unlinked temporary file that no other
    // process can open, written completely before this call and never
    // written, truncated or resized again.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    Ok(register(map, Arc::new(file), 0))
}

/// `count` bytes of the media file `file` from `start`, mapped and
/// registered, for sending only (see the module docs).
#[expect(
    unsafe_code,
    reason = "a media file may be changed by another program while mapped"
)]
pub(super) fn map_media(file: Arc<File>, start: u64, count: usize) -> io::Result<SendOnly> {
    // SAFETY: the mapping is returned as a `SendOnly`, which no code in
    // this process reads: it only becomes a response body that `Sendfile`
    // sends from the file (see the module docs).
    let map = unsafe {
        memmap2::MmapOptions::new()
            .offset(start)
            .len(count)
            .map(&*file)?
    };
    Ok(SendOnly(register(map, file, start)))
}
