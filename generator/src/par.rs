//! Parallel map: the one place where the pipeline spreads work over threads.
//!
//! Stages stay sequential code over one item; whoever calls them decides what runs in
//! parallel by mapping over a slice. Results come back in the slice's order whatever
//! the thread count, so output never depends on scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Stack of each worker thread (and of [`with_stack`]). Recursion over the spec's
/// nesting is bounded (parsers' depth limits, `MAX_NESTING` in lowering), and within
/// those bounds a generous stack, reserved but touched only as needed, keeps deep specs
/// from overflowing a small default stack (a test thread has 2 MiB).
pub const STACK_BYTES: usize = 256 << 20;

/// `f` applied to every item, in item order, on up to as many threads as the machine
/// has cores. Threads take `per_take` items at a time, front to back (put the largest
/// items first so that none starts last), and each keeps the state `init` gives it for
/// all the items it takes. Runs on the calling thread when no thread can be started.
/// A panic in `f` is resumed on the calling thread.
pub fn map_with<T, S, R>(
    items: &[T],
    per_take: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let per_take = per_take.max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut state = init();
        let mut done = Vec::new();
        loop {
            let start = next.fetch_add(per_take, Ordering::Relaxed);
            let Some(taken) = items.get(start..(start + per_take).min(items.len())) else {
                break;
            };
            for (i, item) in taken.iter().enumerate() {
                done.push((start + i, f(&mut state, item)));
            }
        }
        done
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().div_ceil(per_take));
    // One worker still gets a worker's stack: the caller's may be a small one.
    let mut done = if workers <= 1 {
        with_stack(work)
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .filter_map(|_| {
                    std::thread::Builder::new()
                        .stack_size(STACK_BYTES)
                        .spawn_scoped(s, work)
                        .ok()
                })
                .collect();
            let mut done = if handles.is_empty() {
                work()
            } else {
                Vec::new()
            };
            for h in handles {
                match h.join() {
                    Ok(more) => done.extend(more),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            done
        })
    };
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `f` applied to every item, in item order, one item per take ([`map_with`]).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(items, 1, || (), |(), item| f(item))
}

/// `f` applied to every item on up to as many threads as the machine has cores, one
/// item per take, front to back; each result is handed to `done` on the calling thread
/// as soon as it is ready, with its item's index, in the order they finish (which
/// depends on scheduling: `done` must not). Lets the caller put away what is finished
/// while the rest is being made, instead of holding every result until the last.
/// Runs on the calling thread when no thread can be started. A panic in `f` is resumed
/// on the calling thread.
pub fn for_each_done<T, R>(items: &[T], f: impl Fn(&T) -> R + Sync, mut done: impl FnMut(usize, R))
where
    T: Sync,
    R: Send,
{
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        let handles: Vec<_> = (0..workers)
            .filter_map(|_| {
                let (tx, next, f) = (tx.clone(), &next, &f);
                std::thread::Builder::new()
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(s, move || {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(item) = items.get(i) else { break };
                            // The receiver outlives the workers: a send cannot fail.
                            let _ = tx.send((i, f(item)));
                        }
                    })
                    .ok()
            })
            .collect();
        drop(tx);
        if handles.is_empty() {
            // No thread could be started: one at a time, here.
            for (i, item) in items.iter().enumerate() {
                done(i, f(item));
            }
            return;
        }
        // Ends once every worker has ended (and dropped its sender).
        for (i, r) in rx {
            done(i, r);
        }
        for h in handles {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

/// Runs `f` on a thread with a [`STACK_BYTES`] stack (on this thread when no thread
/// can be started).
pub fn with_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let f = std::sync::Mutex::new(Some(f));
    let run = || {
        let f = f.lock().ok().and_then(|mut f| f.take());
        f.map(|f| f())
    };
    let on_thread = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, run)
            .ok()
            .map(|handle| match handle.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            })
    });
    match on_thread.flatten().or_else(run) {
        Some(r) => r,
        None => unreachable!("`f` is taken once, by the thread or here"),
    }
}

/// `f` applied to every item in order on another thread, at most `ahead` results ahead
/// of the calling thread, which `each` gets them on, in item order: for a sequential
/// pass whose every step needs `f` of its item, and `f` nothing the pass makes. `each`
/// returning an error stops the pass (and the other thread); without a thread, `f`
/// runs on the calling thread.
pub fn ahead<T, R, E>(
    items: &[T],
    ahead: usize,
    f: impl Fn(&T) -> R + Sync,
    mut each: impl FnMut(&T, R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    std::thread::scope(|scope| {
        let (tx, made) = std::sync::mpsc::sync_channel(ahead);
        let f = &f;
        // Without a thread, `tx` is dropped with the closure and `recv` fails at once.
        let _ = std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, move || {
                for item in items {
                    // Ends when the pass stopped early (the receiver is gone).
                    if tx.send(f(item)).is_err() {
                        break;
                    }
                }
            });
        for item in items {
            let r = made.recv().unwrap_or_else(|_| f(item));
            each(item, r)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ahead_keeps_order_and_stops_early() {
        let items: Vec<usize> = (0..100).collect();
        let mut seen = Vec::new();
        let done: Result<(), ()> = ahead(
            &items,
            4,
            |i| i * 3,
            |i, r| {
                seen.push((*i, r));
                Ok(())
            },
        );
        assert_eq!(done, Ok(()));
        assert_eq!(seen, items.iter().map(|i| (*i, i * 3)).collect::<Vec<_>>());
        // An error stops the pass at its item; the call returns (the other thread is
        // not left waiting to hand over more).
        let mut last = None;
        let stopped = ahead(
            &items,
            2,
            |i| *i,
            |i, _| {
                last = Some(*i);
                if *i == 10 { Err(*i) } else { Ok(()) }
            },
        );
        assert_eq!((stopped, last), (Err(10), Some(10)));
    }

    #[test]
    fn results_keep_item_order_and_state_is_per_thread() {
        let items: Vec<usize> = (0..1000).collect();
        assert_eq!(
            map(&items, |i| i * 2),
            (0..2000).step_by(2).collect::<Vec<_>>()
        );
        // Each thread counts the items it took; every item is seen exactly once.
        let seen = map_with(
            &items,
            7,
            || 0usize,
            |count, i| {
                *count += 1;
                (*i, *count)
            },
        );
        assert_eq!(seen.iter().map(|(i, _)| *i).collect::<Vec<_>>(), items);
        assert!(seen.iter().all(|(_, count)| *count >= 1));
        assert!(map(&[] as &[u8], |b| *b).is_empty());
    }

    #[test]
    fn a_panic_reaches_the_caller() {
        let result = std::panic::catch_unwind(|| {
            map(&[1, 2, 3], |i| {
                assert!(*i != 2, "item two");
                *i
            })
        });
        assert!(result.is_err());
    }

    #[test]
    fn every_result_is_handed_over_once_with_its_index() {
        let items: Vec<usize> = (0..500).collect();
        let mut got = Vec::new();
        for_each_done(&items, |i| i * 3, |i, r| got.push((i, r)));
        got.sort_unstable();
        assert_eq!(got, items.iter().map(|&i| (i, i * 3)).collect::<Vec<_>>());
        for_each_done(&[] as &[u8], |b| *b, |_, _| panic!("no items"));
        let result = std::panic::catch_unwind(|| {
            for_each_done(&[1, 2, 3], |i| assert!(*i != 2, "item two"), |_, ()| {});
        });
        assert!(result.is_err());
    }
}
