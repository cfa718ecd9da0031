//! Runs hot loops compiled for AVX2 when the CPU has it, and for the baseline otherwise.
//!
//! Why: with AVX2 a neighbour read folds into the multiply (`vmulps mem`) and a weight
//! into a `vbroadcastss`, so a tie costs fewer micro-ops. That pays when the core, not
//! memory, is the limit: 1.0–1.6× for the social kernel in paired runs on the reference
//! VM, depending on how busy its cores are (README, "Performance").
//!
//! Why results do not change: Rust never contracts `a * b + c` into a fused multiply-add
//! (and FMA is not enabled here anyway) and never reorders float sums, so both builds of
//! a loop perform the same IEEE operations in the same order. `tests` below and
//! `phases::social::tests` check this bit for bit.

use std::sync::atomic::{AtomicBool, Ordering};

#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns the AVX2 build off (or on again) for the whole process. Only speed depends on
/// it, never results; tests use it to compare the two builds.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// A loop worth compiling twice. `run` must be `#[inline(always)]`: only code inlined into
/// the AVX2 frame is compiled for AVX2. (A closure or a function item would reach it
/// through a call shim that LLVM declines to inline once the body is large.)
pub trait Kernel {
    type Out;
    fn run(self) -> Self::Out;
}

/// Runs `kernel` compiled with AVX2 enabled when the CPU has it. (FMA stays off: the
/// kernels have no use for it, and leaving it off keeps the bit-identity argument short.)
#[inline(always)]
pub fn fast<K: Kernel>(kernel: K) -> K::Out {
    #[cfg(target_arch = "x86_64")]
    if ENABLED.load(Ordering::Relaxed) && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports every feature `avx2_frame` is compiled with.
        return unsafe { avx2_frame(kernel) };
    }
    kernel.run()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2_frame<K: Kernel>(kernel: K) -> K::Out {
    kernel.run()
}

/// Asks the CPU to start loading the cache lines holding `v` (its first and last byte:
/// a 64-byte row need not start on a line). Only a hint: it never faults and never
/// changes a result, so the kernels may warm the rows of ties a few entries ahead.
#[inline(always)]
pub fn prefetch<T>(v: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let first = (v as *const T).cast::<i8>();
        let last = first.wrapping_add(size_of::<T>().saturating_sub(1));
        // SAFETY: prefetching reads nothing architecturally and cannot fault; both
        // addresses lie within `v` anyway.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(first);
            _mm_prefetch::<_MM_HINT_T0>(last);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = v;
}

#[cfg(test)]
mod tests {
    use super::*;

    struct DotRows<'a>(&'a [[f32; 4]], &'a [u32], &'a [f32]);

    impl Kernel for DotRows<'_> {
        type Out = Vec<[f32; 4]>;
        #[inline(always)]
        fn run(self) -> Self::Out {
            let DotRows(x, idx, w) = self;
            idx.chunks(7)
                .zip(w.chunks(7))
                .map(|(qs, ws)| {
                    let mut acc = [0.1f32; 4];
                    for (&q, &wt) in qs.iter().zip(ws) {
                        for i in 0..4 {
                            acc[i] += wt * x[q as usize][i];
                        }
                    }
                    acc
                })
                .collect()
        }
    }

    #[test]
    fn both_builds_give_identical_bits() {
        let n = 1000u32;
        let x: Vec<[f32; 4]> = (0..n)
            .map(|i| {
                let v = (i as f32 * 0.618_034).fract() * 2.0 - 1.0;
                [v, v * 0.3, -v, v * v]
            })
            .collect();
        let idx: Vec<u32> = (0..7 * n).map(|e| (e * 7919 + 13) % n).collect();
        let w: Vec<f32> = (0..7 * n).map(|e| 1.0 / (1.0 + (e % 11) as f32)).collect();
        let fast_bits = fast(DotRows(&x, &idx, &w));
        let base_bits = DotRows(&x, &idx, &w).run();
        let bits = |v: &[[f32; 4]]| v.iter().flatten().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&fast_bits), bits(&base_bits));
    }
}
