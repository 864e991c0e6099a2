//! `cargo xtask bindings [rust|python|node|ffi|swift|all]`: builds each language binding the way its
//! users get it and runs its own test suite in that language.
//!
//! - rust: the SDK's example (`examples/rust/quickstart.rs`).
//! - python: a manylinux2014 abi3 wheel (`maturin --zig`; `--release` for the one to ship),
//!   installed into a fresh venv,
//!   then pytest (embedded, asyncio, remote against `otto serve`, stubs, the example).
//! - node: `npm ci`, `npm run build:check` (the addon, and the committed index.js/index.d.ts
//!   must match what napi-rs generates), `npm test` (tsc on the types and the example, then
//!   `node --test`, remote tests included).
//! - ffi: the uniffi library; Python and Kotlin bindings generated from it in library mode
//!   with the PyPI `uniffi-bindgen` pinned to the crate's uniffi version; pytest, then kotlinc
//!   (npm `kotlin-compiler`) and the JVM with Debian's JNA.
//! - swift: the same checks in Swift, compiled with swiftlang 6 in a Debian trixie chroot made
//!   with debootstrap (root only; about 3 minutes and 2.5 GB the first time). Not part of `all`.
//!
//! Tools are cached under the target dir (`tools/`), so repeated runs only rebuild what changed.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{build_bin, cargo, done, otto_bin, root, run, step, target_dir, Result};

/// Must equal the `uniffi` version pinned in bindings/ffi/Cargo.toml.
const UNIFFI_BINDGEN: &str = "uniffi-bindgen==0.31.0";
const KOTLIN: &str = "kotlin-compiler@2.4.20";
const JNA: &str = "/usr/share/java/jna.jar";

pub fn bindings(args: &[String]) -> Result {
    let which = args.first().map_or("all", String::as_str);
    match which {
        "python" => python(args.get(1).is_some_and(|a| a == "--release")),
        "node" => node(),
        "ffi" => ffi(),
        "swift" => swift(),
        "rust" => rust(),
        "all" => rust().and_then(|_| python(false)).and_then(|_| node()).and_then(|_| ffi()),
        other => Err(format!("unknown binding `{other}`: use rust, python, node, ffi, swift or all")),
    }
}

/// The Rust example of the SDK the bindings wrap.
fn rust() -> Result {
    let t = step("bindings: examples/rust/quickstart.rs");
    run(cargo().args(["run", "-q", "-p", "otto-sdk", "--example", "quickstart"]))?;
    done(t);
    Ok(())
}

fn tools() -> PathBuf {
    target_dir().join("tools")
}

/// A venv under tools/ with the build tools (maturin, zig, uniffi-bindgen), created once.
fn tool_venv() -> Result<PathBuf> {
    let dir = tools().join("venv");
    let python = dir.join("bin").join("python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    }
    if !dir.join("bin").join("uniffi-bindgen").exists() || !dir.join("bin").join("maturin").exists() {
        run(Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "maturin>=1.7,<2", "ziglang", "pytest"])
            .arg(UNIFFI_BINDGEN))?;
    }
    Ok(dir)
}

/// A new, empty venv at `dir` (what a user starts from).
fn fresh_venv(dir: &Path, packages: &[&str]) -> Result<PathBuf> {
    let _ = std::fs::remove_dir_all(dir);
    run(Command::new("python3").args(["-m", "venv"]).arg(dir))?;
    let python = dir.join("bin").join("python");
    run(Command::new(&python).args(["-m", "pip", "install", "--quiet"]).args(packages))?;
    Ok(python)
}

/// The wheel: portable (manylinux2014, glibc 2.17, linked with zig) and abi3. CI builds it
/// unoptimised, which halves the compile; `cargo xtask bindings python --release` builds the one
/// to distribute.
fn python(release: bool) -> Result {
    let t = step("bindings: Python wheel (maturin --zig, manylinux2014)");
    let venv = tool_venv()?;
    let wheels = target_dir().join("wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    let path = format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    run(Command::new(venv.join("bin").join("maturin"))
        .args(["build", "--zig", "--compatibility", "manylinux2014", "--quiet", "--out"])
        .args(release.then_some("--release"))
        .arg(&wheels)
        .args(["-m", "bindings/python/Cargo.toml"])
        .env("PATH", path))?;
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("maturin built no wheel")?;
    println!("    {}", wheel.display());
    done(t);

    let t = step("bindings: pip install the wheel into a fresh venv, pytest");
    build_bin()?;
    let wheel = wheel.to_string_lossy().into_owned();
    let python = fresh_venv(&tools().join("py-test-venv"), &[&wheel, "pytest", "pandas"])?;
    run(Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "bindings/python/tests"])
        .env("OTTO_BIN", otto_bin()))?;
    done(t);
    Ok(())
}

fn npm() -> Command {
    Command::new("npm")
}

fn node() -> Result {
    let t = step("bindings: Node (napi-rs build, tsc, node --test)");
    build_bin()?;
    let dir = root().join("bindings/node");
    run(npm().args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&dir))?;
    // Builds the addon with cargo (sharing the target dir) and fails if the committed
    // index.js / index.d.ts differ from what napi generates now.
    run(npm().args(["run", "build:check"]).current_dir(&dir))?;
    run(npm().arg("test").current_dir(&dir).env("OTTO_BIN", otto_bin()))?;
    done(t);
    Ok(())
}

/// Builds the uniffi library and generates `language`'s bindings next to a copy of it.
fn uniffi_generate(language: &str) -> Result<PathBuf> {
    let tools = tool_venv()?;
    let lib = target_dir().join("debug").join("libotto_ffi.so");
    let out = target_dir().join("uniffi").join(language);
    let _ = std::fs::remove_dir_all(&out);
    // Library mode reads the crate's metadata with `cargo metadata`: run it in the workspace.
    run(Command::new(tools.join("bin").join("uniffi-bindgen"))
        .args(["generate", "--no-format", "--language", language, "--library"])
        .arg(&lib)
        .arg("--out-dir")
        .arg(&out))?;
    std::fs::copy(&lib, out.join("libotto_ffi.so")).map_err(|e| format!("copying {}: {e}", lib.display()))?;
    Ok(out)
}

fn ffi() -> Result {
    let t = step("bindings: uniffi library + generated Python bindings, pytest");
    run(cargo().args(["build", "-p", "otto-ffi"]))?;
    let py = uniffi_generate("python")?;
    let tools = tool_venv()?;
    run(Command::new(tools.join("bin").join("python"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "bindings/ffi/tests/python"])
        .env("PYTHONPATH", &py))?;
    done(t);

    let t = step("bindings: Kotlin/JVM (kotlinc + JNA)");
    let kt = uniffi_generate("kotlin")?;
    let kotlin = kotlin_compiler()?;
    if !Path::new(JNA).exists() {
        return Err(format!("{JNA} is missing: apt-get install libjna-java"));
    }
    let lib = kotlin.join("lib");
    let coroutines = lib.join("kotlinx-coroutines-core-jvm.jar");
    let jar = kt.join("checks.jar");
    let sources: Vec<PathBuf> = walk(&kt, "kt");
    run(Command::new(kotlin.join("bin").join("kotlinc"))
        .arg("-nowarn")
        .arg("-cp")
        .arg(format!("{JNA}:{}", coroutines.display()))
        .args(&sources)
        .arg(root().join("bindings/ffi/tests/kotlin/Main.kt"))
        .arg("-d")
        .arg(&jar))?;
    let cp = format!("{}:{JNA}:{}:{}", jar.display(), coroutines.display(), lib.join("kotlin-stdlib.jar").display());
    run(Command::new("java").arg(format!("-Djna.library.path={}", kt.display())).args(["-cp", &cp, "MainKt"]))?;
    done(t);
    Ok(())
}

/// kotlinc from the npm package `kotlin-compiler` (JetBrains' distribution with kotlin-stdlib
/// and kotlinx-coroutines), unpacked once under tools/.
fn kotlin_compiler() -> Result<PathBuf> {
    let dir = tools().join("kotlin");
    let home = dir.join("package");
    if !home.join("bin").join("kotlinc").exists() {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        run(npm().args(["pack", KOTLIN, "--silent"]).current_dir(&dir))?;
        let tgz = walk(&dir, "tgz").into_iter().next().ok_or("npm pack produced no tarball")?;
        run(Command::new("tar").arg("xzf").arg(&tgz).current_dir(&dir))?;
        let _ = std::fs::remove_file(tgz);
    }
    Ok(home)
}

fn walk(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Swift on Linux: Debian bookworm has no Swift, so it runs in a trixie chroot (debootstrap).
fn swift() -> Result {
    let t = step("bindings: Swift (swiftlang in a Debian trixie chroot)");
    run(cargo().args(["build", "-p", "otto-ffi"]))?;
    let sw = uniffi_generate("swift")?;
    let chroot = tools().join("trixie");
    if !chroot.join("usr/bin/swiftc").exists() {
        if !Path::new("/usr/sbin/debootstrap").exists() {
            run(Command::new("apt-get").args(["install", "-y", "-qq", "debootstrap"]))?;
        }
        let _ = std::fs::remove_dir_all(&chroot);
        run(Command::new("debootstrap")
            .args(["--variant=minbase", "trixie"])
            .arg(&chroot)
            .arg("http://deb.debian.org/debian"))?;
        run(Command::new("chroot").arg(&chroot).args([
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "swiftlang",
            "gcc",
            "libc6-dev",
        ]))?;
    }
    let work = chroot.join("otto");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    for f in std::fs::read_dir(&sw).map_err(|e| e.to_string())?.flatten() {
        std::fs::copy(f.path(), work.join(f.file_name())).map_err(|e| e.to_string())?;
    }
    std::fs::copy(root().join("bindings/ffi/tests/swift/main.swift"), work.join("main.swift"))
        .map_err(|e| e.to_string())?;
    let script = "cd /otto && swiftc -module-cache-path /otto/mc -module-name Checks \
                  -Xcc -fmodule-map-file=/otto/otto_ffiFFI.modulemap -I /otto -L /otto -lotto_ffi \
                  otto_ffi.swift main.swift -o checks && LD_LIBRARY_PATH=/otto ./checks";
    let mounted =
        Command::new("mount").args(["-t", "proc", "proc"]).arg(chroot.join("proc")).status().is_ok_and(|s| s.success());
    let result = run(Command::new("chroot").arg(&chroot).args(["sh", "-c", script]));
    if mounted {
        let _ = Command::new("umount").arg(chroot.join("proc")).status();
    }
    result?;
    done(t);
    Ok(())
}
