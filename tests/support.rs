//! Helpers shared by the integration tests.

use nno_obs::clock::Clock;
use nno_obs::sink::MemorySink;
use nno_obs::Telemetry;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// 2026-02-22T10:34:00.123Z, the seed's example time.
pub const SEED_TIME_MS: u64 = 1_771_756_440_123;

/// A telemetry capturing everything in memory, with a manual clock at [`SEED_TIME_MS`].
pub fn memory_telemetry(platform_id: Option<&str>) -> (Telemetry, MemorySink, Clock) {
    let memory = MemorySink::new();
    let clock = Clock::manual(SEED_TIME_MS);
    let mut builder = Telemetry::builder()
        .log_sink(memory.clone())
        .all_datasets(memory.clone())
        .clock(clock.clone());
    if let Some(platform_id) = platform_id {
        builder = builder.platform_id(platform_id);
    }
    (builder.build(), memory, clock)
}

/// The lines of `text` that are log lines (JSON objects).
pub fn json_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|line| line.starts_with('{')).collect()
}

/// A global allocator that counts, per thread, the allocations (and reallocations) made, so
/// that what the test harness does on other threads is not counted. A test binary installs it
/// with `#[global_allocator] static GLOBAL: CountingAllocator = CountingAllocator;`.
pub struct CountingAllocator;

thread_local! {
    // const-initialized and without a destructor: touching it never allocates.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches only a
// const-initialized thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations made so far on this thread (needs [`CountingAllocator`] installed).
pub fn allocations_on_this_thread() -> u64 {
    ALLOCATIONS.with(Cell::get)
}
