//! `otto`: run the server, mint development tokens, print the OpenAPI document.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use otto_server::auth::{sign_hs256, Claims};
use otto_server::config::{Config, SecretSource};

#[derive(Parser)]
#[command(name = "otto", version, about = "Otto: sales-call intelligence (server and tools)")]
struct Cli {
    /// TOML config file (settings can also come from OTTO_* environment variables).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (database, blobs, secret).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the API server on the embedded defaults (or what the config says).
    Serve {
        /// Listen address, e.g. 127.0.0.1:8080.
        #[arg(long)]
        addr: Option<String>,
        /// postgres://... to use PostgreSQL instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Print a development JWT signed with the configured HS256 secret.
    Token {
        /// Company (tenant) id.
        #[arg(long)]
        company: String,
        /// User id (a rep's user id is their rep_id).
        #[arg(long)]
        user: String,
        /// admin, manager, csr or sales_rep.
        #[arg(long)]
        role: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
        /// Explicit permissions (replace the role's defaults), e.g. calls:read.
        #[arg(long = "permission")]
        permissions: Vec<String>,
    },
    /// Print the OpenAPI document (YAML).
    Openapi,
    /// Manage local models (speech recognition, embeddings).
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// Install a model into `<data-dir>/models`: whisper-tiny, whisper-base or minilm.
    Install {
        /// whisper-tiny (English, 75 MB), whisper-base (multilingual, 145 MB) or minilm.
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    if let Some(d) = cli.data_dir {
        config.data_dir = d;
    }
    match cli.command {
        Command::Models { command: ModelsCommand::Install { name } } => {
            match otto_server::speech::install_model(&config.data_dir, &name) {
                Ok(msg) => {
                    println!("{msg}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Command::Openapi => {
            print!("{}", otto_server::openapi_yaml());
            ExitCode::SUCCESS
        }
        Command::Token { company, user, role, ttl, permissions } => {
            let secret = match config.hs256_secret() {
                Ok(Some((s, _))) => s,
                Ok(None) => {
                    eprintln!("error: only a JWKS is configured; tokens come from your identity provider");
                    return ExitCode::FAILURE;
                }
                Err(e) => return fail(&e),
            };
            if let Err(e) = otto_core::Role::parse(&role) {
                return fail(&e);
            }
            let now = chrono::Utc::now().timestamp() as u64;
            let claims = Claims {
                sub: Some(user),
                user_id: None,
                company_id: company,
                role,
                permissions: (!permissions.is_empty()).then_some(permissions),
                exp: now + ttl,
                iat: now,
            };
            match sign_hs256(&secret, &claims) {
                Ok(t) => {
                    println!("{t}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Command::Serve { addr, database_url } => {
            if let Some(a) = addr {
                config.addr = a;
            }
            if database_url.is_some() {
                config.database_url = database_url;
            }
            init_tracing(&config.log_format);
            let rt = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(e) => return fail(&otto_core::Error::backend(e)),
            };
            rt.block_on(serve(config))
        }
    }
}

async fn serve(config: Config) -> ExitCode {
    let (state, secret) = match otto_server::build_state(&config).await {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    if let Some(SecretSource::Generated(path)) = &secret {
        println!("Generated a JWT signing secret at {} (keep it private).", path.display());
    }
    let listener = match tokio::net::TcpListener::bind(&config.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", config.addr);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().map_or(config.addr.clone(), |a| a.to_string());
    println!(
        "Otto listening on http://{addr} (storage: {}, retrieval: {}, data dir: {})",
        state.otto.storage_backend(),
        state.otto.retrieval_mode().as_str(),
        config.data_dir.display()
    );
    if let Some(why) = otto_server::lexical_reason(&config) {
        println!("Ask Otto retrieval is lexical: {why}.");
    }
    println!("API docs: http://{addr}/docs   Mint a token: otto token --company ACME --user rep_1 --role manager");
    tracing::info!(%addr, workers = config.workers, "otto started");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = otto_server::spawn_workers(&state.otto, &config, &stop_rx);
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    };
    match otto_server::serve(state, listener, shutdown).await {
        Ok(()) => {
            // Let workers finish the job in hand; an unfinished one is resumed after restart.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(30), futures::future::join_all(workers)).await;
            tracing::info!("otto stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OTTO_LOG").unwrap_or_else(|_| "info".into());
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn fail(e: &otto_core::Error) -> ExitCode {
    eprintln!("error: {}", e.message());
    ExitCode::FAILURE
}
