//! The `machi-hub` command: `serve` the feeds and the app, `check` the city files, or `export`
//! the feeds for static hosting.
//!
//! Every path (`--cities`, `--dist`, `--out`, `--state-dir` and the `path` of each source in a city
//! file) is resolved against the working directory, so run the hub from the repository root.

use chrono::{Timelike as _, Utc};
use clap::{Parser, Subcommand};
use machi_hub::client::{Cidr, ClientSettings};
use machi_hub::config::ConfigError;
use machi_hub::feeds::Feeds;
use machi_hub::fetch::FetchPolicy;
use machi_hub::listen::{self, ServeLimits};
use machi_hub::push::{Push, PushSettings};
use machi_hub::serve::{self, AppState, Paths, Setup};
use machi_hub::sources::Sources;
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

// Parsed once at start: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
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
        /// Seconds between the hub's ticks: each re-reads the city files and the app and reads the
        /// sources that are due (alert sources and local files every tick; a URL source of data
        /// at its kind's own interval, e.g. a garbage calendar every 15 minutes).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
        refresh_secs: u64,
        /// Directory for the hub's durable state (the source store and the push database);
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
        /// BENCHMARKS ONLY: one more certificate authority (a PEM file) to trust for push
        /// services, for a local push service speaking TLS as real ones do.
        #[arg(long, env = "MACHI_PUSH_EXTRA_ROOT_TEST_ONLY")]
        push_extra_root: Option<PathBuf>,
        /// TEST ONLY: read sources given as URLs from loopback addresses (a local test server).
        /// Never set this on a public hub: a remote feed could make it read its own services.
        #[arg(long, env = "MACHI_FETCH_ALLOW_LOOPBACK_TEST_ONLY")]
        fetch_allow_loopback: bool,
        /// The reverse proxy (TLS terminator) in front of the hub: an address or CIDR block,
        /// repeatable. Only from these peers are `Forwarded`, `X-Forwarded-For` and
        /// `X-Forwarded-Host` believed (rate limits then count the real client).
        #[arg(long, env = "MACHI_TRUSTED_PROXY", value_delimiter = ',')]
        trusted_proxy: Vec<Cidr>,
        /// The origin residents reach the hub at (`https://machi.example.jp`), when the proxy
        /// does not pass the `Host` header through: changes to subscriptions are accepted only
        /// from pages of this origin.
        #[arg(long, env = "MACHI_PUBLIC_ORIGIN")]
        public_origin: Option<String>,
        /// Connections open at once, at most; beyond that the hub answers 503 with Retry-After.
        /// Default: the open-file limit (ulimit -n) less 256 for the hub's own files.
        #[arg(long, env = "MACHI_MAX_CONNECTIONS")]
        max_connections: Option<usize>,
        /// Several hubs, one store: `postgres://user@host:5432/db` (PostgreSQL 12 or later) for
        /// the subscriptions, the send ledger and the meetings' ledger, instead of SQLite under
        /// the state dir. Every hub serves the app and the API; one (elected by an advisory
        /// lock) fans alerts and reminders out; all of them send (docs/scale.md).
        #[arg(long, env = "MACHI_DATABASE_URL")]
        database_url: Option<String>,
        /// This hub's name among those sharing a database (default: the host name). A hub
        /// started again under its name takes up at once what it had leased and not sent.
        #[arg(long, env = "MACHI_HUB_ID")]
        hub_id: Option<String>,
        /// Seconds a hub holds the notifications it leased for sending; after that (it died),
        /// another hub sends them.
        #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(2..))]
        lease_secs: u64,
        /// Push requests in flight at once, at most (three quarters of them to one push
        /// service). Each waits for its push service's answer, so messages/s is at most this
        /// divided by the round trip: raise it for large fan-outs (docs/scale.md).
        #[arg(long, env = "MACHI_PUSH_CONCURRENCY", default_value_t = 64,
              value_parser = clap::value_parser!(u64).range(1..=10_000))]
        push_concurrency: u64,
    },
    /// Parse every city file and read its local sources; print each error and fail if there is
    /// any.
    Check {
        #[arg(long, default_value = "cities")]
        cities: PathBuf,
    },
    /// Write every feed for a static host or CDN: one ingest of every source (as a tick of
    /// `serve`), then each JSON feed under a content-hashed name with feeds/manifest.json naming
    /// them, the hub's own names beside them, and the .ics calendars (see ARCHITECTURE.md).
    Export {
        /// Output directory (created if needed); an earlier export there is updated.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "cities")]
        cities: PathBuf,
        /// A source store to read from and keep (as `serve --state-dir`): a source that fails is
        /// then exported from its last good copy. Without it, sources are read afresh in memory.
        #[arg(long, env = "MACHI_STATE_DIR")]
        state_dir: Option<PathBuf>,
        /// The built app (Trunk's output) to copy into the output, so one directory is the site.
        #[arg(long)]
        dist: Option<PathBuf>,
        /// Where the app finds the feeds (with `--dist`: written into its index.html), e.g.
        /// https://cdn.example.jp/feeds/ when they are hosted elsewhere.
        #[arg(long, default_value = "/feeds/")]
        feed_base: String,
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
            push_extra_root,
            fetch_allow_loopback,
            trusted_proxy,
            public_origin,
            max_connections,
            database_url,
            hub_id,
            lease_secs,
            push_concurrency,
        } => serve_command(
            Paths { cities, dist },
            &state_dir,
            addr,
            Duration::from_secs(refresh_secs),
            Options {
                push: PushSettings {
                    subject: push_subject,
                    allow_loopback: push_allow_loopback,
                    extra_roots: match push_extra_root.map(std::fs::read).transpose() {
                        Ok(root) => root.into_iter().collect(),
                        Err(e) => {
                            eprintln!("machi-hub: --push-extra-root: {e}");
                            return ExitCode::from(2);
                        }
                    },
                    database_url,
                    hub_id: hub_id.unwrap_or_else(machi_hub::push::default_hub_id),
                    lease: Duration::from_secs(lease_secs),
                    concurrency: push_concurrency as usize,
                    per_origin: (push_concurrency as usize * 3 / 4).max(1),
                    ..PushSettings::default()
                },
                clients: ClientSettings {
                    trusted_proxies: trusted_proxy,
                    public_origin,
                },
                fetch: FetchPolicy {
                    allow_loopback: fetch_allow_loopback,
                },
                limits: ServeLimits {
                    max_connections: max_connections
                        .unwrap_or_else(listen::default_max_connections),
                    ..ServeLimits::default()
                },
            },
        ),
        Command::Check { cities } => check(&cities),
        Command::Export {
            out,
            cities,
            state_dir,
            dist,
            feed_base,
        } => export(
            &cities,
            state_dir.as_deref(),
            &out,
            dist.as_deref().map(|d| (d, feed_base.as_str())),
        ),
    }
}

/// A hub over `cities` with its sources in memory, its local sources read: what `check` looks at
/// (URL sources are left unread).
fn load_local(cities: &std::path::Path) -> Result<AppState, Vec<ConfigError>> {
    let paths = Paths {
        cities: cities.to_owned(),
        dist: std::path::PathBuf::from("/nonexistent"),
    };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| {
        vec![ConfigError::whole_file(
            cities,
            format!("cannot start the async runtime: {e}"),
        )]
    })?;
    runtime.block_on(async {
        let setup =
            Setup::new(paths).map_err(|e| vec![ConfigError::whole_file(cities, e.to_string())])?;
        match AppState::load(setup).await {
            Ok((state, errors)) if errors.is_empty() => Ok(state),
            Ok((_, errors)) | Err(errors) => Err(errors),
        }
    })
}

/// The async runtime of `serve` and `export`; `None` (said on stderr) if it cannot start.
fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Runtime::new()
        .map_err(|e| eprintln!("error: cannot start the async runtime: {e}"))
        .ok()
}

fn check(cities: &std::path::Path) -> ExitCode {
    let state = match load_local(cities) {
        Ok(state) => state,
        Err(errors) => return fail(&errors),
    };
    let feeds = state.feeds();
    let errors = source_errors(&feeds);
    for city in state.cities().iter() {
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
        if let Some(nursery) = feeds.nursery(&city.id) {
            println!(
                "{}: nursery: {} facilities, {} months of vacancies{}",
                city.id,
                nursery.facilities.len(),
                nursery.months.len(),
                if nursery.unjoined.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; rows matching no facility: {}",
                        nursery.unjoined.join(", ")
                    )
                }
            );
        }
        if let Some(meetings) = feeds.meetings(&city.id) {
            println!(
                "{}: meetings: {} bodies, {} meetings from {} to {}, {} notices",
                city.id,
                meetings.bodies.len(),
                meetings.meetings.len(),
                meetings.from,
                meetings.to,
                meetings.notices.len()
            );
        }
    }
    if errors.is_empty() {
        println!("{} cities OK", feeds.len());
        ExitCode::SUCCESS
    } else {
        for e in &errors {
            println!("{e}");
        }
        ExitCode::FAILURE
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

/// One ingest of every source, as a tick of `serve` (the same [`AppState`]), then the feeds
/// written for static hosting ([`machi_hub::export`]). A source that fails is named and exported
/// from its last good copy, as a hub would serve it, stale; only an export with nothing to write
/// (no usable city file) or a write that fails is an error.
fn export(
    cities: &std::path::Path,
    state_dir: Option<&std::path::Path>,
    out: &std::path::Path,
    app: Option<(&std::path::Path, &str)>,
) -> ExitCode {
    let sources = match state_dir {
        Some(dir) => Sources::open(dir),
        None => Sources::in_memory(),
    };
    let sources = match sources {
        Ok(sources) => sources,
        Err(e) => {
            eprintln!("error: {e} (see --state-dir)");
            return ExitCode::from(2);
        }
    };
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    let setup = Setup {
        // The app is copied, not served: the state needs none.
        paths: Paths {
            cities: cities.to_owned(),
            dist: std::path::PathBuf::from("/nonexistent"),
        },
        sources,
        push: None,
        started: Utc::now(),
        clients: ClientSettings::default(),
        limits: ServeLimits::default(),
    };
    let state = match runtime.block_on(async {
        let (state, errors) = AppState::load(setup).await?;
        state.poll().await;
        Ok::<_, Vec<ConfigError>>((state, errors))
    }) {
        Ok((state, errors)) => {
            for e in &errors {
                eprintln!("error: {e} (this city is not exported)");
            }
            state
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "error: no usable city file in {}: nothing exported",
                cities.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let feeds = state.feeds();
    for e in source_errors(&feeds) {
        eprintln!("error: {e} (exported from its last good copy, if any, marked stale)");
    }
    let exported = match machi_hub::export::write_feeds(&feeds, out, Utc::now()) {
        Ok(exported) => exported,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "exported {} cities to {}: {} JSON feeds under content-hashed names (manifest.json), {} calendars",
        feeds.len(),
        out.join("feeds").display(),
        exported.manifest.files.len(),
        exported.calendars
    );
    if let Some((dist, feed_base)) = app {
        match machi_hub::export::copy_app(dist, out, feed_base) {
            Ok(n) => println!(
                "copied the app ({n} files) from {} to {}; its feeds: {feed_base}",
                dist.display(),
                out.display()
            ),
            Err(e) => {
                eprintln!("error: {e} (build the app first: source scripts/lib.sh && trunk_release_build)");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn fail(errors: &[ConfigError]) -> ExitCode {
    for e in errors {
        println!("{e}");
    }
    ExitCode::FAILURE
}

/// How `serve` behaves towards push services, clients, sources and connections.
struct Options {
    push: PushSettings,
    clients: ClientSettings,
    fetch: FetchPolicy,
    limits: ServeLimits,
}

fn serve_command(
    paths: Paths,
    state_dir: &std::path::Path,
    addr: SocketAddr,
    refresh: Duration,
    options: Options,
) -> ExitCode {
    let Options {
        push: push_settings,
        clients,
        fetch,
        limits,
    } = options;
    if fetch.allow_loopback {
        tracing::warn!(
            "sources: loopback addresses allowed (--fetch-allow-loopback): for tests only"
        );
    }
    let sources = match Sources::open_with(state_dir, fetch) {
        Ok(sources) => sources,
        Err(e) => {
            eprintln!("error: {e} (see --state-dir)");
            return ExitCode::from(2);
        }
    };
    if push_settings.allow_loopback {
        tracing::warn!("push: loopback endpoints allowed (--push-allow-loopback): for tests only");
    }
    let push = match Push::open(state_dir, push_settings) {
        Ok(push) => push,
        Err(e) => {
            eprintln!("error: web push: {e} (see --state-dir and --push-subject)");
            return ExitCode::from(2);
        }
    };
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    let setup = Setup {
        paths: paths.clone(),
        sources,
        push: Some(push),
        started: Utc::now(),
        clients,
        limits,
    };
    let (state, errors) = match runtime.block_on(AppState::load(setup)) {
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
    match runtime.block_on(run(state, addr, refresh, limits)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    state: AppState,
    addr: SocketAddr,
    refresh: Duration,
    limits: ServeLimits,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr()?;
    tracing::info!(cities = state.feeds().len(), "listening on {local}");
    // The one line scripts and people wait for; flushed because stdout may be a pipe.
    println!("Machi is running at http://{local}/");
    let _ = std::io::stdout().flush();

    // The heartbeat: city files, the app and the sources that are due, every `refresh`; the
    // first tick is at once, so URL sources are read right after start.
    let ticker = state.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(refresh);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            ticker.tick(refresh).await;
        }
    });

    // The outbox: what any hub sharing the database claimed and nobody is sending (another
    // hub's fan-out, or the leases of a hub that died), every two seconds. A fan-out of this hub
    // sends its own claims at once.
    if let Some(push) = state.push().cloned() {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs(2));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                push.drain(Utc::now()).await;
            }
        });
    }

    // Garbage reminders and the push retention rule: once a minute, on the minute.
    let minutes = state.clone();
    tokio::spawn(async move {
        loop {
            let now = Utc::now();
            let into_minute = Duration::from_millis(
                u64::from(now.timestamp_subsec_millis()) + 1000 * u64::from(now.second()),
            );
            tokio::time::sleep(Duration::from_secs(60).saturating_sub(into_minute)).await;
            // Never awaited here: a slow fan-out must not make the next minute's reminders
            // late (claims keep overlapping ticks from sending anything twice).
            let tick = minutes.clone();
            tokio::spawn(async move { tick.push_tick(Utc::now()).await });
        }
    });

    // Connections are accepted within limits (how many, how slow); each request carries its
    // connection's address for the push API's rate limits.
    tracing::info!(
        "at most {} connections at once (--max-connections)",
        limits.max_connections
    );
    listen::serve(listener, serve::app(state), limits, shutdown_signal()).await?;
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
