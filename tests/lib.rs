//! Helpers for the end-to-end tests: run the real `otto` binary the way the README does and
//! talk to it with `otto-client`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `otto` binary next to the test executable (cargo builds it for the workspace's tests).
pub fn otto_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = dir.join("otto");
    assert!(bin.exists(), "{} is missing: run `cargo build -p otto-server` first", bin.display());
    bin
}

/// A running `otto serve`, killed on drop.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Its data directory.
    pub data_dir: PathBuf,
}

impl Server {
    /// Starts `otto serve --addr 127.0.0.1:0 --data-dir DIR` with extra `OTTO_*` env and waits
    /// for the "listening" line.
    pub fn start(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_with(&otto_bin(), data_dir, env)
    }

    /// Like [`Server::start`], with a given `otto` binary instead of the one next to the test
    /// executable (`cargo xtask e2e-audio` passes one built with `--features asr-whisper`).
    pub fn start_with(bin: &Path, data_dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--data-dir"]).arg(data_dir);
        cmd.env("OTTO_LOG", "warn").stdout(Stdio::piped()).stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {} serve: {e}", bin.display()));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Otto listening on ") {
                    let url = rest.split_whitespace().next().unwrap_or_default().to_string();
                    let _ = tx.send(url);
                }
            }
        });
        // A server that exits at startup (bad config, missing feature) closes stdout at once.
        let base_url = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|e| {
            panic!("{} serve did not print its address ({e}); see its stderr above", bin.display())
        });
        Self { child, base_url, data_dir: data_dir.to_path_buf() }
    }

    /// `otto token` against the same data dir.
    pub fn token(&self, company: &str, user: &str, role: &str) -> String {
        token(&self.data_dir, company, user, role)
    }

    /// SIGKILL, no graceful shutdown: what a crash looks like.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A client for `company` with `token`.
    pub fn client(&self, token: &str, company: &str) -> otto_client::OttoClient {
        otto_client::OttoClient::builder(&self.base_url, token, company).build().expect("client")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `otto token` for the data dir's secret.
pub fn token(data_dir: &Path, company: &str, user: &str, role: &str) -> String {
    token_with(&otto_bin(), data_dir, company, user, role)
}

/// Runs `otto token` with a given binary (see [`Server::start_with`]).
pub fn token_with(bin: &Path, data_dir: &Path, company: &str, user: &str, role: &str) -> String {
    let out = Command::new(bin)
        .args(["token", "--company", company, "--user", user, "--role", role, "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("otto token");
    assert!(out.status.success(), "otto token failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

/// Waits until `f` is true or `timeout` passes.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
