//! Huge pages for the arrays the hot loops read at random.
//!
//! Neighbour reads jump across the whole opinion array. With 4 KiB pages an array larger
//! than the TLB's reach (a few MiB) costs a page-table walk on most of those reads; 2 MiB
//! pages remove them. Linux backs a region with transparent huge pages when it is marked
//! `MADV_HUGEPAGE` (THP mode "madvise", the common default) or always (mode "always").
//! Elsewhere, or when the kernel declines, this is a plain copy: results never depend on it.

/// Arrays smaller than this fit the TLB's reach anyway.
const WORTH_IT: usize = 4 << 20;

/// A copy of `src` in memory marked for huge pages before it is first touched.
pub fn huge_copy<T: Copy>(src: &[T]) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(src.len());
    advise_huge(v.as_ptr() as usize, std::mem::size_of_val(src));
    v.extend_from_slice(src);
    v
}

#[cfg(target_os = "linux")]
fn advise_huge(addr: usize, len: usize) {
    const HUGE: usize = 2 << 20;
    if len < WORTH_IT {
        return;
    }
    let start = addr.next_multiple_of(HUGE);
    let end = (addr + len) / HUGE * HUGE;
    if end > start {
        // SAFETY: [start, end) lies inside the allocation just made and owned by the
        // caller; MADV_HUGEPAGE changes only how the kernel backs it, never its contents.
        // A refusal (old kernel, THP off) is harmless, so the result is ignored.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_addr: usize, _len: usize) {
    let _ = WORTH_IT;
}

#[cfg(test)]
mod tests {
    #[test]
    fn huge_copy_is_a_copy() {
        let src: Vec<u32> = (0..3_000_000).collect();
        assert_eq!(super::huge_copy(&src), src);
        assert!(super::huge_copy::<f32>(&[]).is_empty());
    }
}
