//! The memory a server spends on a request, charged to a budget: what the protocol layer
//! builds from a request (its decompressed body, its decoded input, what its checks need) is
//! counted before or as it is built, so that a request the budget has no room for is refused
//! rather than held.

/// Where a server's memory budget comes from: the ready server's (or the tower service's)
/// budget of bytes in flight.
pub(crate) trait MemoryPool: Send + Sync {
    /// Takes `bytes` if the pool has room for them.
    fn try_take(&self, bytes: usize) -> bool;
    /// Gives back `bytes` taken before.
    fn give_back(&self, bytes: usize);
}

/// A request's share of its server's memory budget, as a request extension: what the protocol
/// layer builds from the request (its decompressed body, its decoded input) is charged to it
/// before or as it is built, and a request the budget has no room for is refused (`503`). The
/// share is given back when the last clone is dropped: the ready server keeps one until the
/// handler has answered. Without it, nothing is charged.
#[derive(Clone)]
pub(crate) struct RequestMemory(std::sync::Arc<MemoryShare>);

struct MemoryShare {
    pool: std::sync::Arc<dyn MemoryPool>,
    /// Bytes taken from the pool.
    held: std::sync::atomic::AtomicUsize,
    /// Bytes charged, at most `held`.
    used: std::sync::atomic::AtomicUsize,
}

/// The least a share grows by: small requests take few bytes, large ones grow by doubling.
pub(crate) const MEMORY_STEP: usize = 4 * 1024;

impl RequestMemory {
    #[cfg_attr(not(any(feature = "hyper-server", feature = "tower")), allow(dead_code))]
    pub(crate) fn new(pool: std::sync::Arc<dyn MemoryPool>) -> Self {
        Self(std::sync::Arc::new(MemoryShare {
            pool,
            held: std::sync::atomic::AtomicUsize::new(0),
            used: std::sync::atomic::AtomicUsize::new(0),
        }))
    }

    /// Counts `bytes` more that the request holds; `false` (and nothing counted) when the
    /// server's budget has no room for them.
    pub(crate) fn charge(&self, bytes: usize) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        let share = &*self.0;
        let Ok(before) = share.used.fetch_update(SeqCst, SeqCst, |used| used.checked_add(bytes)) else {
            return false;
        };
        let used = before + bytes;
        loop {
            let held = share.held.load(SeqCst);
            if used <= held {
                return true;
            }
            // Doubling while there is room, else only what is missing.
            let missing = used - held;
            let ample = missing.max(MEMORY_STEP).max(held.min(1 << 20));
            let Some(more) = [ample, missing].into_iter().find(|more| share.pool.try_take(*more)) else {
                share.used.fetch_sub(bytes, SeqCst);
                return false;
            };
            share.held.fetch_add(more, SeqCst);
        }
    }

    /// Counts `bytes` charged before as no longer held: the share keeps them for what the
    /// request charges next.
    pub(crate) fn uncharge(&self, bytes: usize) {
        let _ = self.0.used.fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |used| Some(used.saturating_sub(bytes)),
        );
    }

    /// The bytes charged so far.
    #[cfg(test)]
    pub(crate) fn used(&self) -> usize {
        self.0.used.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for MemoryShare {
    fn drop(&mut self) {
        let held = *self.held.get_mut();
        if held > 0 {
            self.pool.give_back(held);
        }
    }
}

impl std::fmt::Debug for RequestMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::sync::atomic::Ordering::SeqCst;
        f.debug_struct("RequestMemory")
            .field("used", &self.0.used.load(SeqCst))
            .field("held", &self.0.held.load(SeqCst))
            .finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A pool of `max` bytes that tells how many are taken.
    pub(crate) struct Pool {
        pub(crate) max: usize,
        pub(crate) taken: AtomicUsize,
    }

    /// A request's share of a pool of `max` bytes.
    pub(crate) fn share_of(max: usize) -> super::RequestMemory {
        super::RequestMemory::new(Arc::new(Pool {
            max,
            taken: AtomicUsize::new(0),
        }))
    }

    impl super::MemoryPool for Pool {
        fn try_take(&self, bytes: usize) -> bool {
            self.taken
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |taken| {
                    taken.checked_add(bytes).filter(|total| *total <= self.max)
                })
                .is_ok()
        }

        fn give_back(&self, bytes: usize) {
            self.taken.fetch_sub(bytes, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_request_share_grows_within_the_pool_and_is_given_back_whole() {
        let pool = Arc::new(Pool {
            max: 1 << 20,
            taken: AtomicUsize::new(0),
        });
        let memory = super::RequestMemory::new(pool.clone());
        let copy = memory.clone();
        // Small charges take a few KiB, not a byte at a time.
        assert!(memory.charge(10));
        assert_eq!(pool.taken.load(Ordering::SeqCst), super::MEMORY_STEP);
        for _ in 0..100 {
            assert!(copy.charge(10_000));
        }
        assert_eq!(memory.used(), 1_000_010);
        let taken = pool.taken.load(Ordering::SeqCst);
        assert!((1_000_010..=1 << 20).contains(&taken), "{taken}");
        // Past the pool: refused, and nothing counted.
        assert!(!memory.charge(1 << 20));
        assert_eq!(memory.used(), 1_000_010);
        assert!(!memory.charge(usize::MAX));
        drop(memory);
        assert_eq!(
            pool.taken.load(Ordering::SeqCst),
            taken,
            "a clone still holds the share"
        );
        drop(copy);
        assert_eq!(pool.taken.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_body_is_decompressed_only_as_far_as_its_charges_are_granted() {
        let body = crate::checksum::gzip(&vec![b'a'; 1 << 20]);
        let mut granted = 0usize;
        let mut charge = |bytes: usize| {
            granted += bytes;
            granted <= 256 << 10
        };
        assert_eq!(
            crate::checksum::gunzip_charged(&body, 10 << 20, &mut charge),
            Err(crate::checksum::GunzipError::OverBudget(512 << 10))
        );
        let mut total = 0usize;
        let out = crate::checksum::gunzip_charged(&body, 10 << 20, &mut |bytes| {
            total += bytes;
            true
        })
        .expect("the body");
        assert_eq!(out.len(), 1 << 20);
        assert_eq!(total, out.capacity());
        assert_eq!(
            crate::checksum::gunzip_charged(&body, 1000, &mut |_| true),
            Err(crate::checksum::GunzipError::TooLarge(1000))
        );
    }
}
