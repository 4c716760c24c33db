//! Many targets at once (`--tls-file`): up to `jobs` probes run together, and at most
//! `per_host` of them against one host, so a host listed on many ports never sees more than
//! `per_host` connections from the audit at a time (each probe connects one at a time).
//! One target's failure is its own result; the others go on.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

use super::{Artefact, Options, Target, probe};
use crate::Error;
use crate::provider::Provider;

/// Probes every target; the results come back in the order of `targets`.
pub fn probe_all(
    provider: &Provider,
    targets: &[Target],
    options: &Options,
    jobs: usize,
    per_host: usize,
) -> Vec<Result<Vec<Artefact>, Error>> {
    run(targets, jobs, per_host, |t| probe(provider, t, options))
}

struct State<T> {
    taken: Vec<bool>,
    active: HashMap<String, usize>,
    results: Vec<Option<T>>,
}

/// Runs `f` on every target under the two bounds.
pub(super) fn run<T: Send>(
    targets: &[Target],
    jobs: usize,
    per_host: usize,
    f: impl Fn(&Target) -> T + Sync,
) -> Vec<T> {
    let per_host = per_host.max(1);
    let host = |t: &Target| t.host.to_ascii_lowercase();
    let state = Mutex::new(State {
        taken: vec![false; targets.len()],
        active: HashMap::new(),
        results: targets.iter().map(|_| None).collect(),
    });
    let wake = Condvar::new();
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(targets.len().max(1)) {
            s.spawn(|| {
                loop {
                    let Ok(mut st) = state.lock() else { return };
                    let i = loop {
                        let next = (0..targets.len()).find(|&i| {
                            !st.taken[i]
                                && st.active.get(&host(&targets[i])).copied().unwrap_or(0)
                                    < per_host
                        });
                        match next {
                            Some(i) => break i,
                            None if st.taken.iter().all(|t| *t) => return,
                            None => {
                                st = match wake.wait(st) {
                                    Ok(g) => g,
                                    Err(_) => return,
                                }
                            }
                        }
                    };
                    st.taken[i] = true;
                    *st.active.entry(host(&targets[i])).or_default() += 1;
                    drop(st);
                    let r = f(&targets[i]);
                    let Ok(mut st) = state.lock() else { return };
                    if let Some(n) = st.active.get_mut(&host(&targets[i])) {
                        *n -= 1;
                    }
                    st.results[i] = Some(r);
                    drop(st);
                    wake.notify_all();
                }
            });
        }
    });
    state
        .into_inner()
        .map(|st| st.results.into_iter().flatten().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    fn t(s: &str) -> Target {
        Target::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn probes_run_together_but_never_more_than_per_host_against_one_host() {
        let targets: Vec<Target> = (1..=6)
            .map(|p| t(&format!("a.example:{p}")))
            .chain((1..=6).map(|p| t(&format!("b.example:{p}"))))
            .collect();
        let (now_a, max_a, now_all, max_all) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        let start = Instant::now();
        let out = run(&targets, 8, 2, |target| {
            let all = now_all.fetch_add(1, Ordering::SeqCst) + 1;
            max_all.fetch_max(all, Ordering::SeqCst);
            if target.host == "a.example" {
                let a = now_a.fetch_add(1, Ordering::SeqCst) + 1;
                max_a.fetch_max(a, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(60));
            if target.host == "a.example" {
                now_a.fetch_sub(1, Ordering::SeqCst);
            }
            now_all.fetch_sub(1, Ordering::SeqCst);
            target.port
        });
        // Every result, in order.
        assert_eq!(out, [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
        assert_eq!(max_a.load(Ordering::SeqCst), 2, "per host");
        assert_eq!(max_all.load(Ordering::SeqCst), 4, "two hosts, two each");
        // 12 probes of 60 ms, four at a time: about 180 ms, far from the 720 ms of one by one.
        assert!(
            start.elapsed() < Duration::from_millis(600),
            "{:?}",
            start.elapsed()
        );
        // One at a time overall.
        let now = AtomicUsize::new(0);
        let max = AtomicUsize::new(0);
        run(&targets, 1, 5, |_| {
            max.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            now.fetch_sub(1, Ordering::SeqCst);
        });
        assert_eq!(max.load(Ordering::SeqCst), 1);
        assert!(run(&[], 4, 1, |_| 0).is_empty());
    }
}
