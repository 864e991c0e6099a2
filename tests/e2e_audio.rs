//! End to end with real speech recognition: `otto serve` built with `--features asr-whisper`,
//! the whisper-tiny model in its data dir, a stereo call generated with espeak-ng and sox, created
//! through otto-client with a `file://` URL, followed to `completed`.
//!
//! Ignored by plain `cargo test` (it needs whisper.cpp in the binary, the model, espeak-ng and
//! sox). Run it with `cargo xtask e2e-audio`, which builds `otto` with `--features asr-whisper`
//! first and passes its path in `OTTO_E2E_BIN`; without that variable the test uses the `otto`
//! next to the test executable, and refuses to start if that binary lacks Whisper (the server is
//! started with `OTTO_ASR__ENGINE=whisper`, which such a binary rejects at startup).
//!
//! The model comes from `OTTO_WHISPER_MODEL`, else `<target dir>/models/whisper-tiny` (where CI
//! and `cargo xtask` install it), copied into the server's data dir the way
//! `otto models install whisper-tiny --data-dir DIR` leaves it; if neither exists the test runs
//! that install command (pip and PyPI needed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use otto_core::speech::decode::{decode, encode_wav_pcm16, AudioLimits};
use otto_core::{CallStatus, NewCall, SpeakerRole};
use otto_e2e::Server;

const RATE: u32 = 8000;
const LEAD: f64 = 0.6;
const GAP: f64 = 0.9;
/// The rep on the right channel: a server that ignored `rep_channel` (or defaulted to left)
/// would get every role wrong.
const REP_CHANNEL: u8 = 1;

/// A five-turn call (the opening of the dev set's roofing call, shortened).
const TURNS: [(bool, &str); 5] = [
    (true, "Thank you for calling Summit Roofing, this is Dana. How can I help you today?"),
    (false, "Hi Dana. I have water coming through my ceiling since the storm last night."),
    (true, "I am sorry to hear that. Can I start with your name and the address of the property?"),
    (false, "Karen Whitfield, four eighteen Elm Street."),
    (true, "Thanks, Karen. I can have an inspector out tomorrow morning at nine."),
];

struct Turn {
    rep: bool,
    start: f64,
    end: f64,
}

/// The `otto` to run: `OTTO_E2E_BIN` (set by `cargo xtask e2e-audio`), else the one next to the
/// test executable.
fn otto_bin() -> PathBuf {
    std::env::var_os("OTTO_E2E_BIN").map_or_else(otto_e2e::otto_bin, PathBuf::from)
}

fn tools_present() -> bool {
    let ok = |cmd: &str| Command::new(cmd).arg("--version").output().is_ok_and(|o| o.status.success());
    ok("espeak-ng") && ok("sox")
}

/// Synthesises `text` as trimmed 8 kHz telephone-band samples (as otto-core's speech tests do).
fn synth(dir: &Path, i: usize, voice: &str, text: &str) -> Vec<f32> {
    let raw = dir.join(format!("t{i}.wav"));
    let tel = dir.join(format!("t{i}_8k.wav"));
    let st = Command::new("espeak-ng").args(["-v", voice, "-s", "165", "-w"]).arg(&raw).arg(text).status().unwrap();
    assert!(st.success(), "espeak-ng failed");
    let st = Command::new("sox")
        .arg(&raw)
        .args(["-r", "8000", "-b", "16", "-c", "1"])
        .arg(&tel)
        .args([
            "sinc", "300-3400", "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
        ])
        .status()
        .unwrap();
    assert!(st.success(), "sox failed");
    let audio = decode(&std::fs::read(&tel).unwrap(), Some("wav"), &AudioLimits::default()).unwrap();
    audio.channels.into_iter().next().unwrap()
}

/// Writes the stereo call to `path` and returns the script with true turn times.
fn generate(dir: &Path, path: &Path) -> Vec<Turn> {
    let mut channels = vec![Vec::<f32>::new(), Vec::new()];
    let mut turns = Vec::new();
    let mut cursor = (LEAD * f64::from(RATE)) as usize;
    for (i, (rep, text)) in TURNS.iter().enumerate() {
        let voice = if *rep { "en-us+m3" } else { "en-gb-x-rp+f3" };
        let samples = synth(dir, i, voice, text);
        let ch = if *rep { usize::from(REP_CHANNEL) } else { 1 - usize::from(REP_CHANNEL) };
        let end = cursor + samples.len();
        for c in &mut channels {
            c.resize(end, 0.0);
        }
        channels[ch][cursor..end].copy_from_slice(&samples);
        turns.push(Turn { rep: *rep, start: cursor as f64 / f64::from(RATE), end: end as f64 / f64::from(RATE) });
        cursor = end + (GAP * f64::from(RATE)) as usize;
    }
    for c in &mut channels {
        c.resize(cursor, 0.0);
    }
    std::fs::write(path, encode_wav_pcm16(RATE, &channels)).unwrap();
    turns
}

/// Puts whisper-tiny into `<data_dir>/models/whisper-tiny`: a copy of an installed model, or
/// `otto models install whisper-tiny --data-dir` when there is none.
fn install_model(data_dir: &Path) {
    let exe = std::env::current_exe().unwrap();
    // <target>/<profile>/deps/<test exe>
    let target = exe.ancestors().nth(3).unwrap().to_path_buf();
    let source = std::env::var_os("OTTO_WHISPER_MODEL")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("models/whisper-tiny")))
        .filter(|p| p.join("model.bin").is_file())
        .or_else(|| Some(target.join("models/whisper-tiny")).filter(|p| p.join("model.bin").is_file()));
    let dest = data_dir.join("models").join("whisper-tiny");
    match source {
        Some(src) => {
            std::fs::create_dir_all(&dest).unwrap();
            for entry in std::fs::read_dir(&src).unwrap() {
                let entry = entry.unwrap();
                if entry.file_type().unwrap().is_file() {
                    std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
                }
            }
            eprintln!("model: copied {} into the data dir", src.display());
        }
        None => {
            eprintln!("model: none installed; running `otto models install whisper-tiny --data-dir`");
            let st = Command::new(otto_bin())
                .args(["models", "install", "whisper-tiny", "--data-dir"])
                .arg(data_dir)
                .status()
                .unwrap();
            assert!(st.success(), "otto models install whisper-tiny failed");
        }
    }
}

#[tokio::test]
#[ignore = "needs an otto built with --features asr-whisper, the whisper-tiny model, espeak-ng and sox: \
            run `cargo xtask e2e-audio`"]
async fn test_stereo_wav_through_the_binary_ends_completed_with_roles_and_times_right() {
    assert!(tools_present(), "espeak-ng and sox are needed (apt-get install -y espeak-ng sox)");
    let bin = otto_bin();
    eprintln!("otto binary: {}", bin.display());
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let wav = work.path().join("call_audio_1.wav");
    let turns = generate(work.path(), &wav);
    install_model(&data);

    // `OTTO_ASR__ENGINE=whisper` makes a binary without the feature refuse to start (instead of
    // quietly running with no engine), so a wrong binary fails here, loudly.
    let server = Server::start_with(
        &bin,
        &data,
        &[("OTTO_ALLOW_FILE_URLS", "true"), ("OTTO_ASR__ENGINE", "whisper"), ("OTTO_ASR__THREADS", "1")],
    );
    let token = otto_e2e::token_with(&bin, &data, "acme", "mgr_1", "manager");
    let client = server.client(&token, "acme");

    let started = Instant::now();
    let call = client
        .create_call(&NewCall {
            call_id: Some("call_audio_1".into()),
            audio_url: Some(format!("file://{}", wav.display())),
            rep_channel: Some(REP_CHANNEL),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(call.audio_url.as_deref(), Some(format!("file://{}", wav.display()).as_str()));

    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        let s = client.call_status("call_audio_1").await.unwrap();
        match s.status {
            CallStatus::Completed => break s,
            CallStatus::Failed => panic!("the call failed: {:?} (stages {:?})", s.failure_reason, s.stages),
            _ => {}
        }
        assert!(Instant::now() < deadline, "not completed after 300 s: {s:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    eprintln!("completed in {:.1} s: stages {:?}", started.elapsed().as_secs_f64(), status.stages);
    assert_eq!(status.progress, 100);

    let transcript = client.transcript("call_audio_1").await.unwrap();
    assert!(transcript.source.starts_with("whisper.cpp/"), "{}", transcript.source);
    assert!(!transcript.transcript.trim().is_empty(), "empty transcript");
    // tiny.en on espeak's formant voices at 8 kHz is rough (about 0.4-0.5 WER, see
    // docs/BENCHMARKS.md); this only shows the words are the call's, not noise or another file.
    let script = TURNS.map(|(_, t)| t).join(" ");
    let wer = otto_core::speech::word_error_rate(&script, &transcript.transcript);
    eprintln!("WER against the script: {wer:.3}");
    assert!(wer < 0.6, "WER {wer}: {}", transcript.transcript);

    let diarization = client.diarization("call_audio_1").await.unwrap();
    for s in &diarization.speakers {
        eprintln!("  [{:6.2}-{:6.2}] {:<8} {:?}: {}", s.start_time, s.end_time, s.speaker_id, s.role, s.text);
    }
    assert_eq!(diarization.speakers.len(), turns.len(), "one segment per scripted turn");
    for (seg, turn) in diarization.speakers.iter().zip(&turns) {
        let (role, ch) =
            if turn.rep { (SpeakerRole::Rep, REP_CHANNEL) } else { (SpeakerRole::Customer, 1 - REP_CHANNEL) };
        assert_eq!(seg.role, role, "turn at {:.2}s: {seg:?}", turn.start);
        assert_eq!(seg.speaker_id, format!("channel_{ch}"), "{seg:?}");
        assert_eq!(seg.role_confidence, 1.0, "{seg:?}");
        assert!((seg.start_time - turn.start).abs() <= 0.3, "start {:.2} vs script {:.2}", seg.start_time, turn.start);
        assert!((seg.end_time - turn.end).abs() <= 0.3, "end {:.2} vs script {:.2}", seg.end_time, turn.end);
    }
    assert!(!diarization.talk_time.is_empty());

    let analysis = client.analysis("call_audio_1").await.unwrap();
    assert_eq!(analysis.call_id, "call_audio_1");
}
