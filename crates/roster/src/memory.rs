//! The process's memory use: glibc's allocator gives each thread that allocates under contention
//! an arena of its own (up to eight per core), and a sync's tokio workers, SQLite connections and
//! HTTP tasks each end up holding freed pages in theirs. At 100,000 users that took a sync's peak
//! resident memory from 78 MiB (one arena) to 134 MiB. Two arenas keep it at 95 MiB with the same
//! wall time (`MALLOC_ARENA_MAX` measured 1, 2 and unset; see the README's figures).
//! `MALLOC_ARENA_MAX` in the environment still wins, for anyone who measures otherwise.

/// Caps glibc's malloc arenas at two unless `MALLOC_ARENA_MAX` says otherwise, for every
/// command but the server's (`serve`, and `bench --api`, which measures it): there many
/// requests allocate at once, and two arenas made them wait on each other's allocator lock —
/// `roster bench --api --sizes 100000` on 2 cores served the reviewer inbox at 299 pages a
/// second capped and 449 with glibc's default (the users page 605 and 891). A server trades
/// that memory for throughput; a sync, run alone, keeps its peak low. Call first in `main`,
/// before any thread starts.
pub fn cap_malloc_arenas(serves: bool) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if !serves && std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; called before any other thread
        // exists, so nothing allocates concurrently. M_ARENA_MAX is -8 in glibc's malloc.h.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = serves;
}
