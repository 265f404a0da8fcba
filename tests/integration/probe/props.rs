//! Property tests of the library: arbitrary bytes and mutated real fixtures
//! never panic (a caught panic would surface as `ProbeError::Internal`) and
//! the probe does bounded work, measured by the bytes it reads.

use super::fixture;
use podcatalog::probe::{ProbeError, probe_reader};
use proptest::prelude::*;
use std::io::{Cursor, Read, Seek, SeekFrom};

/// A cursor that counts the bytes read through it.
struct Counting {
    inner: Cursor<Vec<u8>>,
    read: u64,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl Seek for Counting {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Probes `bytes` and checks the invariants; returns bytes read.
fn check(bytes: Vec<u8>, name: &str) -> u64 {
    let len = bytes.len() as u64;
    let mut src = Counting {
        inner: Cursor::new(bytes),
        read: 0,
    };
    let result = probe_reader(&mut src, len, name);
    if let Err(ProbeError::Internal { detail, .. }) = &result {
        panic!("probe panicked: {detail}");
    }
    if let Err(e) = &result {
        assert!(e.to_string().starts_with(name), "error names the file: {e}");
    }
    // Bounded work: a few passes over the file at most, plus one window.
    assert!(
        src.read <= 4 * len + (1 << 20),
        "read {} bytes of {len}",
        src.read
    );
    src.read
}

/// Committed fixtures the mutation tests start from.
const BASES: [&str; 7] = [
    "vbr-tagged.mp3",
    "moov-end.m4a",
    "vorbis.ogg",
    "opus.opus",
    "flac.flac",
    "pcm.wav",
    "raw.aac",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check(bytes, "arbitrary.mp3");
    }

    #[test]
    fn headers_followed_by_noise_never_panic(
        magic in prop::sample::select(vec![&b"ID3\x04\0\0"[..], b"RIFF\0\0\0\0WAVE", b"fLaC", b"OggS\0\x02", b"\0\0\0\x10ftypM4A ", b"\xFF\xFB\x90\x64", b"\xFF\xF1\x50\x80"]),
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend(tail);
        check(bytes, "magic.bin");
    }

    #[test]
    fn mutated_fixtures_never_panic(
        base in 0..BASES.len(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..24),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let mut bytes = fixture(BASES[base]);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if do_cut {
            let keep = cut.index(bytes.len());
            bytes.truncate(keep);
        }
        check(bytes, BASES[base]);
    }
}

#[test]
fn header_mutations_in_the_first_bytes_never_panic() {
    // Every single-byte change to the first 128 bytes of each base file.
    for base in BASES {
        let original = fixture(base);
        for i in 0..128.min(original.len()) {
            for value in [0x00, 0xFF, original[i] ^ 0x80] {
                let mut bytes = original.clone();
                bytes[i] = value;
                check(bytes, base);
            }
        }
    }
}
