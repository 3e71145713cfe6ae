//! The order of a trace's log lines within one millisecond (seed §4.1, §4.3).
//!
//! Workers that call each other often log in the same millisecond: the gateway's `→ request`,
//! the feature Worker's lines, their `← response`s. Sorted by time alone, ties fall in the
//! order of the objects the lines came from, so a callee's line can print before its caller's
//! request. Lines carry no span id, only the trace id, so the trace's spans say who called
//! whom: a line's depth is the depth of its service's shallowest span in the trace. Within a
//! millisecond, requests and other lines go caller first (depth ascending) and `← response`
//! lines callee first (depth descending), which is the order in which they were written.
//! Lines of different milliseconds keep their order; so do lines of equal rank.

/// Where a line ranks among the lines of its millisecond.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// A request or any other line, at this call depth: callers first.
    Inbound(u32),
    /// A `← response` line, at this call depth: callees first, so ranked by depth reversed.
    Outbound(std::cmp::Reverse<u32>),
}

impl Rank {
    /// The rank of a line with `message`, written by a service at call `depth`.
    ///
    /// ```
    /// use nno_obs_api::call_order::Rank;
    ///
    /// assert!(Rank::of("→ request", 0) < Rank::of("step started", 1));
    /// assert!(Rank::of("← response", 1) < Rank::of("← response", 0));
    /// ```
    pub fn of(message: &str, depth: u32) -> Self {
        if message == "← response" {
            Rank::Outbound(std::cmp::Reverse(depth))
        } else {
            Rank::Inbound(depth)
        }
    }
}

/// Orders each run of consecutive `items` with the same millisecond by [`Rank`], stably;
/// untimed items and the order between milliseconds are left as they are.
///
/// ```
/// use nno_obs_api::call_order::{order_within_milliseconds, Rank};
///
/// // (ms, message, depth): the callee's line was found before its caller's request.
/// let mut lines = vec![(5, "step started", 1), (5, "→ request", 0), (5, "← response", 0), (5, "← response", 1), (6, "x", 3)];
/// order_within_milliseconds(&mut lines, |l| Some(l.0), |l| Rank::of(l.1, l.2));
/// assert_eq!(lines, [(5, "→ request", 0), (5, "step started", 1), (5, "← response", 1), (5, "← response", 0), (6, "x", 3)]);
/// ```
pub fn order_within_milliseconds<T>(
    items: &mut [T],
    time_ms: impl Fn(&T) -> Option<u64>,
    rank: impl Fn(&T) -> Rank,
) {
    for run in items.chunk_by_mut(|a, b| time_ms(a).is_some() && time_ms(a) == time_ms(b)) {
        if run.len() > 1 {
            run.sort_by_key(&rank);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_ordered_and_nothing_else_moves() {
        // Two milliseconds, each found callee first; an untimed line between keeps its place.
        let mut lines = vec![
            (Some(1), "← response", 1),
            (Some(1), "← response", 0),
            (Some(1), "→ request", 1),
            (Some(1), "→ request", 0),
            (None, "untimed", 0),
            (None, "untimed", 2),
            (Some(2), "work", 2),
            (Some(2), "→ request", 1),
        ];
        order_within_milliseconds(&mut lines, |l| l.0, |l| Rank::of(l.1, l.2));
        assert_eq!(
            lines,
            [
                (Some(1), "→ request", 0),
                (Some(1), "→ request", 1),
                (Some(1), "← response", 1),
                (Some(1), "← response", 0),
                (None, "untimed", 0),
                (None, "untimed", 2),
                (Some(2), "→ request", 1),
                (Some(2), "work", 2),
            ]
        );
    }

    #[test]
    fn equal_ranks_keep_their_order() {
        let mut lines = vec![(7, "a", 1), (7, "b", 1), (7, "c", 0)];
        order_within_milliseconds(&mut lines, |l| Some(l.0), |l| Rank::of(l.1, l.2));
        assert_eq!(lines, [(7, "c", 0), (7, "a", 1), (7, "b", 1)]);
    }
}
