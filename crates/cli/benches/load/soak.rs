//! The soak: S2 for ten minutes at 80 % of the S2 peak measured while a fault load runs (one
//! caller cycling the looping, memory-bomb and panicking samples and a create whose
//! asynchronous step always fails), on SQLite. Reports errors among the S2 calls, the
//! server's RSS at one minute and at the end, and S2's p99 with and without the fault load.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::generator::{self, Report, Request};
use crate::{Server, Target, reverse_request};

/// How long the peak and the run without faults are measured.
const PEAK: Duration = Duration::from_secs(15);
const WITHOUT_FAULTS: Duration = Duration::from_secs(60);

/// The fault load's calls, by outcome.
#[derive(Default)]
struct FaultTally {
    cycles: AtomicU64,
    server_errors: AtomicU64,
    other: AtomicU64,
}

/// One caller cycling the fault samples until `stop`.
fn fault_load(server: &Server, token: &str, stop: &AtomicBool, tally: &FaultTally) {
    let calls = [
        Request::post_json("/api/data/v9.2/sb_FaultLoop", &serde_json::json!({})),
        Request::post_json("/api/data/v9.2/sb_FaultMemory", &serde_json::json!({})),
        Request::post_json("/api/data/v9.2/sb_FaultPanic", &serde_json::json!({})),
        // Its asynchronous step (registered by the soak) panics: a job that always fails.
        Request::post_json(
            "/api/data/v9.2/sb_projects",
            &serde_json::json!({"sb_name": "soak: fails later", "sb_priority": 1}),
        ),
    ];
    while !stop.load(Ordering::Relaxed) {
        for call in &calls {
            let report = generator::run(
                server.addr,
                &call.clone().bearer(token),
                1,
                Duration::ZERO,
                Duration::from_secs(60),
                Some(1),
            );
            let failed = report
                .first_failure
                .as_deref()
                .is_some_and(|f| f.starts_with('5'));
            if failed {
                tally.server_errors.fetch_add(1, Ordering::Relaxed);
            } else {
                tally.other.fetch_add(1, Ordering::Relaxed);
            }
        }
        tally.cycles.fetch_add(1, Ordering::Relaxed);
    }
}

/// S2 against `server` at `rate` (closed loop when `None`) for `duration`.
fn s2(
    server: &Server,
    token: &str,
    connections: usize,
    duration: Duration,
    rate: Option<f64>,
) -> Report {
    generator::run_at(
        server.addr,
        &reverse_request(token),
        connections,
        Duration::from_secs(1),
        duration,
        None,
        rate,
    )
}

/// Runs the soak for `duration` on `target` (sample solutions imported) and prints its table.
pub(crate) fn soak(target: &Target, token: &str, connections: usize, duration: Duration) {
    target.run(&[
        "step",
        "add",
        "--name",
        "soak: always fails",
        "--message",
        "Create",
        "--entity",
        "sb_project",
        "--plugin-type",
        "Samples.Faults.Panic",
        "--stage",
        "40",
        "--mode",
        "async",
    ]);
    let server = target.serve(2);
    // Warm the plug-ins up before anything is measured.
    s2(&server, token, connections, Duration::from_secs(3), None);

    let stop = AtomicBool::new(false);
    let tally = FaultTally::default();
    let (server_ref, stop_ref, tally_ref) = (&server, &stop, &tally);
    let (peak, soaked, rss_1min, rss_end) = std::thread::scope(|scope| {
        scope.spawn(move || fault_load(server_ref, token, stop_ref, tally_ref));
        let peak = s2(&server, token, connections, PEAK, None);
        let rate = peak.per_second() * 0.8;
        eprintln!(
            "soak: S2 peak with the fault load {:.0}/s; {:.0}/s for {} s",
            peak.per_second(),
            rate,
            duration.as_secs()
        );
        let started = Instant::now();
        let run = scope.spawn(move || s2(server_ref, token, connections, duration, Some(rate)));
        let minute = Duration::from_secs(61).min(duration / 2);
        std::thread::sleep(minute.saturating_sub(started.elapsed()));
        let rss_1min = server.rss_mib();
        let soaked = run.join().expect("the soak's generator");
        let rss_end = server.rss_mib();
        stop.store(true, Ordering::Relaxed);
        (peak, soaked, rss_1min, rss_end)
    });
    let rate = peak.per_second() * 0.8;
    let quiet = s2(&server, token, connections, WITHOUT_FAULTS, Some(rate));
    server.stop();

    let errors = |r: &Report| r.non_2xx + r.errors;
    println!(
        "\n### Soak: S2 (`POST sb_Reverse`) for {} s at 80 % of its peak under a fault load (SQLite)\n",
        duration.as_secs()
    );
    println!("| measure | value |\n|---|---|");
    println!(
        "| S2 peak with the fault load (closed loop, {} connections) | {:.0}/s |",
        connections,
        peak.per_second()
    );
    println!(
        "| S2 rate held | {:.0}/s ({} calls) |",
        soaked.per_second(),
        soaked.requests
    );
    println!(
        "| errors among the S2 calls (non-2xx + dropped connections) | {} |",
        errors(&soaked)
    );
    println!(
        "| S2 p50 / p99 with the fault load | {:.2} / {:.2} ms |",
        soaked.quantile_ms(0.5),
        soaked.quantile_ms(0.99)
    );
    println!(
        "| S2 p50 / p99 without it (same rate, {} s) | {:.2} / {:.2} ms |",
        WITHOUT_FAULTS.as_secs(),
        quiet.quantile_ms(0.5),
        quiet.quantile_ms(0.99)
    );
    println!(
        "| server RSS at 1 min / at the end | {rss_1min:.0} / {rss_end:.0} MiB ({:+.1} %) |",
        (rss_end / rss_1min - 1.0) * 100.0
    );
    println!(
        "| fault cycles (loop, memory bomb, panic, create with failing async step) | {} ({} answered 5xx, {} other) |",
        tally.cycles.load(Ordering::Relaxed),
        tally.server_errors.load(Ordering::Relaxed),
        tally.other.load(Ordering::Relaxed)
    );
    if let Some(f) = &soaked.first_failure {
        println!("\nFirst S2 failure: {f}");
    }
}
