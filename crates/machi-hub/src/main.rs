//! The `machi-hub` command: `serve` the feeds and the app, `check` the city files, or `export`
//! the feeds for static hosting.
//!
//! Every path (`--cities`, `--dist`, `--out`, `--state-dir` and the `path` of each source in a city
//! file) is resolved against the working directory, so run the hub from the repository root.

use chrono::{Timelike as _, Utc};
use clap::{Parser, Subcommand};
use machi_hub::alerts::Alerts;
use machi_hub::config::{self, ConfigError};
use machi_hub::feeds::Feeds;
use machi_hub::garbage::Downloads;
use machi_hub::push::{Push, PushSettings};
use machi_hub::serve::{self, AppState, Paths};
use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "machi-hub",
    version,
    about = "Machi's hub: city feeds and the app, from one server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the feeds and the built app, refreshing both periodically.
    Serve {
        /// Directory of city files (*.toml).
        #[arg(long, default_value = "cities")]
        cities: PathBuf,
        /// Directory of the built app (Trunk's output).
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// Address to listen on.
        #[arg(long, env = "MACHI_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Seconds between re-reads of the city files and the app, and between polls of the
        /// alert sources.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
        refresh_secs: u64,
        /// Directory for the hub's durable state (fetched alert messages and their journal);
        /// created if needed.
        #[arg(long, env = "MACHI_STATE_DIR", default_value = ".machi")]
        state_dir: PathBuf,
        /// The contact push services may use about this hub's notifications (VAPID `sub`): a
        /// `mailto:` or `https:` URL. Set it for a real deployment.
        #[arg(
            long,
            env = "MACHI_PUSH_SUBJECT",
            default_value = "mailto:webpush@machi.invalid"
        )]
        push_subject: String,
        /// TEST ONLY: accept push endpoints on loopback addresses (an `http://127.0.0.1:port`
        /// sink). Never set this on a public hub: it lets subscribers make the hub post to itself.
        #[arg(long, env = "MACHI_PUSH_ALLOW_LOOPBACK_TEST_ONLY")]
        push_allow_loopback: bool,
    },
    /// Parse every city file and read its garbage source; print each error and fail if there is
    /// any.
    Check {
        #[arg(long, default_value = "cities")]
        cities: PathBuf,
    },
    /// Write feeds/index.json, feeds/{city}/city.json and feeds/{city}/garbage.json under a
    /// directory, for static hosting.
    Export {
        /// Output directory (created if needed).
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "cities")]
        cities: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve {
            cities,
            dist,
            addr,
            refresh_secs,
            state_dir,
            push_subject,
            push_allow_loopback,
        } => serve_command(
            Paths { cities, dist },
            &state_dir,
            addr,
            Duration::from_secs(refresh_secs),
            PushSettings {
                subject: push_subject,
                allow_loopback: push_allow_loopback,
                ..PushSettings::default()
            },
        ),
        Command::Check { cities } => check(&cities),
        Command::Export { out, cities } => export(&cities, &out),
    }
}

fn check(cities: &std::path::Path) -> ExitCode {
    match config::load_dir(cities) {
        Err(e) => fail(&[e]),
        Ok(loaded) if !loaded.errors.is_empty() => fail(&loaded.errors),
        Ok(loaded) => {
            let feeds = Feeds::default().rebuild(&loaded, Utc::now());
            let errors = source_errors(&feeds);
            for city in &loaded.cities {
                if let Some(garbage) = feeds.garbage(&city.id) {
                    let calendar = &garbage.calendar;
                    println!(
                        "{}: garbage: {} areas, {} categories, {} items",
                        city.id,
                        calendar.areas.len(),
                        calendar.categories.len(),
                        calendar.items.len()
                    );
                }
            }
            if errors.is_empty() {
                println!("{} cities OK", loaded.cities.len());
                ExitCode::SUCCESS
            } else {
                for e in &errors {
                    println!("{e}");
                }
                ExitCode::FAILURE
            }
        }
    }
}

/// The errors of sources that could not be read (a hub would serve them stale).
fn source_errors(feeds: &Feeds) -> Vec<String> {
    feeds
        .index()
        .cities
        .iter()
        .filter_map(|c| feeds.city(&c.id))
        .flat_map(|c| c.sources.iter())
        .filter_map(|s| s.last_error.clone())
        .collect()
}

/// Exports only a fully valid set: a static copy has no hub to keep a last good feed for it.
fn export(cities: &std::path::Path, out: &std::path::Path) -> ExitCode {
    let loaded = match config::load_dir(cities) {
        Err(e) => return fail(&[e]),
        Ok(loaded) if !loaded.errors.is_empty() => return fail(&loaded.errors),
        Ok(loaded) => loaded,
    };
    let feeds = Feeds::default().rebuild(&loaded, Utc::now());
    let errors = source_errors(&feeds);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        return ExitCode::FAILURE;
    }
    match feeds.export(out) {
        Ok(()) => {
            println!(
                "exported {} cities to {}",
                feeds.len(),
                out.join("feeds").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn fail(errors: &[ConfigError]) -> ExitCode {
    for e in errors {
        println!("{e}");
    }
    ExitCode::FAILURE
}

fn serve_command(
    paths: Paths,
    state_dir: &std::path::Path,
    addr: SocketAddr,
    refresh: Duration,
    push_settings: PushSettings,
) -> ExitCode {
    let alerts = match Alerts::open(state_dir, Utc::now()) {
        Ok(alerts) => alerts,
        Err(e) => {
            eprintln!("error: the alerts store: {e} (see --state-dir)");
            return ExitCode::from(2);
        }
    };
    let garbage = match Downloads::open(Some(state_dir)) {
        Ok(garbage) => garbage,
        Err(e) => {
            eprintln!("error: the garbage downloader: {e}");
            return ExitCode::from(2);
        }
    };

    if push_settings.allow_loopback {
        tracing::warn!("push: loopback endpoints allowed (--push-allow-loopback): for tests only");
    }
    let push = match Push::open(state_dir, push_settings) {
        Ok(push) => push,
        Err(e) => {
            eprintln!("error: the push store: {e} (see --state-dir)");
            return ExitCode::from(2);
        }
    };
    let (state, errors) = match AppState::load_full(
        paths.clone(),
        Some(alerts),
        Some(garbage),
        Some(push),
    ) {
        Ok(loaded) => loaded,
        Err(errors) => {
            for e in &errors {
                tracing::error!("{e}");
            }
            eprintln!(
                "error: no usable city file in {}; fix the errors above (`machi-hub check` lists them)",
                paths.cities.display()
            );
            return ExitCode::from(2);
        }
    };
    for e in &errors {
        tracing::error!("{e} (skipping this city)");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(state, addr, refresh)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(state: AppState, addr: SocketAddr, refresh: Duration) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    tracing::info!(cities = state.feeds().len(), "listening on {local}");
    // The one line scripts and people wait for; flushed because stdout may be a pipe.
    println!("Machi is running at http://{local}/");
    let _ = std::io::stdout().flush();

    let refresher = state.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(refresh);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate, and we have just loaded.
        ticks.tick().await;
        // Download the url sources and poll the alert sources at once (then refresh), rather than
        // a refresh interval later.
        refresher.poll_garbage().await;
        refresher.poll_alerts().await;
        loop {
            ticks.tick().await;
            refresher.poll_garbage().await;
            if refresher.alerts().is_some() {
                refresher.poll_alerts().await;
                continue;
            }
            let state = refresher.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || state.refresh()).await {
                tracing::error!("refresh failed: {e}");
            }
        }
    });

    // Garbage reminders and the push retention rule: once a minute, on the minute.
    let ticker = state.clone();
    tokio::spawn(async move {
        loop {
            let now = Utc::now();
            let into_minute = Duration::from_millis(
                u64::from(now.timestamp_subsec_millis()) + 1000 * u64::from(now.second()),
            );
            tokio::time::sleep(Duration::from_secs(60).saturating_sub(into_minute)).await;
            ticker.push_tick(Utc::now()).await;
        }
    });

    // The push API limits requests per client address, so it needs the connection's address.
    let service = serve::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (what service managers and containers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
