//! How much of an MP4 track's audio is actually in the file, for a `moov`
//! at the start of a file whose `mdat` was cut short.
//!
//! Follows ISO/IEC 14496-12 §8.7 (sample-to-chunk `stsc`, chunk offsets
//! `stco`/`co64`, sample sizes `stsz`, time-to-sample `stts`): a sample is
//! present when its last byte lies inside the file. Pure functions over the
//! `stbl` body already in memory.

use super::mp4_boxes::child;
use super::source::{be32, be64};

/// Duration in media units of the samples wholly inside `len` bytes, and
/// how many of how many samples that is; `None` when every sample is
/// present or the tables are missing.
pub(crate) fn truncated_units(stbl: &[u8], len: u64) -> Option<(u64, u64, u64)> {
    let total = u64::from(be32(child(stbl, b"stsz")?, 8));
    let (sample, _) = samples(stbl)?
        .enumerate()
        .find(|(_, (offset, size))| offset.saturating_add(*size) > len)?;
    let sample = sample as u64;
    Some((units_of(stbl, sample), sample, total))
}

/// File offset and size of each sample in order, from `stsc`, `stco` or
/// `co64`, and `stsz`; `None` when a table is missing.
pub(crate) fn samples(stbl: &[u8]) -> Option<impl Iterator<Item = (u64, u64)> + '_> {
    let offsets = chunk_offsets(stbl)?;
    let stsz = child(stbl, b"stsz")?;
    let (fixed, total) = (u64::from(be32(stsz, 4)), u64::from(be32(stsz, 8)));
    let size = move |i: u64| {
        if fixed > 0 {
            fixed
        } else {
            u64::from(be32(stsz, 12 + 4 * i as usize))
        }
    };
    let runs = chunk_runs(child(stbl, b"stsc")?);
    let mut run = 0usize;
    let per_chunk = offsets.into_iter().enumerate().map(move |(chunk, offset)| {
        while runs
            .get(run + 1)
            .is_some_and(|&(first, _)| first <= chunk as u64 + 1)
        {
            run += 1;
        }
        (offset, runs.get(run).map_or(0, |&(_, n)| n))
    });
    let mut sample = 0u64;
    let all = per_chunk.flat_map(move |(offset, n)| {
        let mut at = offset;
        (0..n).map_while(move |_| {
            let here = (at, size(sample));
            (sample < total).then(|| {
                at = at.saturating_add(here.1);
                sample += 1;
                here
            })
        })
    });
    Some(all.take(total as usize))
}

/// Chunk offsets from `stco` or `co64`.
fn chunk_offsets(stbl: &[u8]) -> Option<Vec<u64>> {
    if let Some(stco) = child(stbl, b"stco") {
        let n = be32(stco, 4) as usize;
        return Some(
            stco.get(8..)?
                .chunks_exact(4)
                .take(n)
                .map(|c| u64::from(be32(c, 0)))
                .collect(),
        );
    }
    let co64 = child(stbl, b"co64")?;
    let n = be32(co64, 4) as usize;
    Some(
        co64.get(8..)?
            .chunks_exact(8)
            .take(n)
            .map(|c| be64(c, 0))
            .collect(),
    )
}

/// `stsc` runs: (first chunk, 1-based; samples per chunk).
fn chunk_runs(stsc: &[u8]) -> Vec<(u64, u64)> {
    let n = be32(stsc, 4) as usize;
    let entries = stsc.get(8..).unwrap_or(&[]).chunks_exact(12).take(n);
    entries
        .map(|e| (u64::from(be32(e, 0)), u64::from(be32(e, 4))))
        .collect()
}

/// Media units spanned by the first `count` samples, from `stts`.
fn units_of(stbl: &[u8], mut count: u64) -> u64 {
    let stts = child(stbl, b"stts").unwrap_or(&[]);
    let n = be32(stts, 4) as usize;
    let mut units = 0u64;
    for e in stts.get(8..).unwrap_or(&[]).chunks_exact(8).take(n) {
        let take = count.min(u64::from(be32(e, 0)));
        units += take * u64::from(be32(e, 4));
        count -= take;
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend(kind);
        v.extend(body);
        v
    }

    fn words(w: &[u32]) -> Vec<u8> {
        w.iter().flat_map(|x| x.to_be_bytes()).collect()
    }

    #[test]
    fn counts_samples_inside_the_file() {
        // Two chunks of 3 samples of 100 bytes at offsets 1000 and 2000.
        let mut stbl = bx(b"stsz", &words(&[0, 100, 6]));
        stbl.extend(bx(b"stco", &words(&[0, 2, 1000, 2000])));
        stbl.extend(bx(b"stsc", &words(&[0, 1, 1, 3, 1])));
        stbl.extend(bx(b"stts", &words(&[0, 1, 6, 1024])));
        assert_eq!(truncated_units(&stbl, 2250), Some((5 * 1024, 5, 6)));
        assert_eq!(truncated_units(&stbl, 2300), None);
    }
}
