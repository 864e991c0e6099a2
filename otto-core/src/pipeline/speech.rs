//! The `call.process_audio` stage: fetch the recording, store it, decode, resample, transcribe,
//! attribute speakers, store the transcript and diarization, then hand over to `call.analyze`.
//!
//! The stage is idempotent so the queue's retries and a crash mid-job are safe: a recording
//! already in the blob store is not fetched again, a transcript already stored is not
//! recomputed, and the analysis job is deduplicated per call.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{analyze_job, diarization_key, stages, transcript_key, PROCESS_AUDIO};
use crate::domain::{Call, CallStatus, CompanyId, Job, NewJob, StageState};
use crate::error::{Error, ErrorKind, Result};
use crate::jobs::{JobContext, JobHandler, Worker};
use crate::speech::attribution::{PitchSplitter, SpeakerSplitter};
use crate::speech::decode::AudioLimits;
use crate::speech::vad::VadConfig;
use crate::speech::{self, SpeechOptions};
use crate::Otto;

/// What to run to get a speech model when none is configured.
pub const INSTALL_HINT: &str = "no speech recognition engine is configured: install the embedded Whisper model with \
     `otto models install whisper-tiny` (and build with the `asr-whisper` feature), or configure a cloud ASR provider";

/// Payload of a `call.process_audio` job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessAudioPayload {
    /// Tenant.
    pub company_id: CompanyId,
    /// The call.
    pub call_id: String,
}

/// The `call.process_audio` job for `call`, deduplicated per call.
pub fn process_audio_job(call: &Call, now: chrono::DateTime<chrono::Utc>) -> NewJob {
    let payload = ProcessAudioPayload { company_id: call.company_id.clone(), call_id: call.call_id.clone() };
    NewJob::new(PROCESS_AUDIO, serde_json::to_value(payload).unwrap_or_default(), now)
        .company(call.company_id.clone())
        .dedupe_key(format!("{PROCESS_AUDIO}:{}:{}", call.company_id, call.call_id))
}

/// Blob key of a call's original recording.
pub fn audio_key(company: &CompanyId, call_id: &str, extension: &str) -> String {
    format!("audio/{company}/{call_id}.{extension}")
}

/// Where and how recordings may be fetched from.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchPolicy {
    /// Allow URLs resolving to private, loopback or link-local addresses (tests, on-premises
    /// recorders). Off by default: a URL from an API body must not reach internal services.
    pub allow_private_urls: bool,
    /// Allow `file://` URLs (local deployments reading a shared directory).
    pub allow_file_urls: bool,
    /// Time to connect.
    pub connect_timeout: Duration,
    /// Time for the whole download.
    pub timeout: Duration,
    /// Largest recording, in bytes.
    pub max_bytes: usize,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow_private_urls: false,
            allow_file_urls: false,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(120),
            max_bytes: speech::decode::MAX_AUDIO_BYTES,
        }
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

/// Settings of the speech stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpeechConfig {
    /// Fetching rules.
    pub fetch: FetchPolicy,
    /// Size and duration limits of a recording.
    pub limits: AudioLimits,
    /// Voice activity tuning.
    pub vad: VadConfig,
    /// For mono calls, use the engine's speaker labels (Deepgram `diarize`) instead of the local
    /// splitter.
    pub provider_diarization: bool,
}

impl SpeechConfig {
    /// Defaults, with `OTTO_ALLOW_PRIVATE_URLS` and `OTTO_ALLOW_FILE_URLS` (`true`/`1`) read
    /// from the environment.
    pub fn from_env() -> Self {
        let mut config = Self::default();
        config.fetch.allow_private_urls = env_flag("OTTO_ALLOW_PRIVATE_URLS");
        config.fetch.allow_file_urls = env_flag("OTTO_ALLOW_FILE_URLS");
        config
    }
}

/// A fetched recording.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedAudio {
    /// The file.
    pub bytes: Vec<u8>,
    /// Lowercase file extension (from the URL or the content type), e.g. `wav`.
    pub extension: Option<String>,
}

/// Gets a recording's bytes from its URL. Tests inject their own.
#[async_trait]
pub trait AudioFetcher: Send + Sync {
    /// Fetches `url`. `InvalidInput` for URLs that must not or cannot be fetched (refused
    /// address, missing file, 4xx, too large); `Unavailable` for failures worth retrying.
    async fn fetch(&self, url: &str) -> Result<FetchedAudio>;
}

/// Whether `ip` is an address a fetch from a user-supplied URL must not reach: loopback,
/// private, link-local, unique-local, carrier-grade NAT, multicast, unspecified or broadcast.
pub fn is_private_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_address(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

fn extension_of(path: &str) -> Option<String> {
    let last = path.rsplit('/').next()?;
    let (_, ext) = last.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    ["wav", "mp3", "flac", "ogg", "oga", "wave"].contains(&ext.as_str()).then_some(ext)
}

/// The built-in fetcher: `http(s)://` (feature `asr-http`) with the SSRF and size rules of its
/// [`FetchPolicy`], and `file://` when allowed.
#[derive(Debug, Clone)]
pub struct DefaultFetcher {
    policy: FetchPolicy,
}

impl DefaultFetcher {
    /// A fetcher enforcing `policy`.
    pub fn new(policy: FetchPolicy) -> Self {
        Self { policy }
    }

    async fn fetch_file(&self, url: &url::Url) -> Result<FetchedAudio> {
        if !self.policy.allow_file_urls {
            return Err(Error::invalid(
                "audio_url",
                "file:// URLs are disabled on this server (set OTTO_ALLOW_FILE_URLS=true to allow them)",
            ));
        }
        let path: PathBuf = url.to_file_path().map_err(|()| Error::invalid("audio_url", "not a local file:// path"))?;
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|e| Error::invalid("audio_url", format!("cannot read {}: {e}", path.display())))?;
        if meta.len() > self.policy.max_bytes as u64 {
            return Err(too_large(meta.len(), self.policy.max_bytes));
        }
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| Error::invalid("audio_url", format!("cannot read {}: {e}", path.display())))?;
        Ok(FetchedAudio { bytes, extension: extension_of(url.path()) })
    }
}

fn too_large(len: u64, max: usize) -> Error {
    Error::invalid(
        "audio",
        format!("the recording is {:.1} MB, more than the {} MB limit", len as f64 / 1_048_576.0, max / 1_048_576),
    )
}

#[async_trait]
impl AudioFetcher for DefaultFetcher {
    async fn fetch(&self, raw: &str) -> Result<FetchedAudio> {
        let url = url::Url::parse(raw).map_err(|e| Error::invalid("audio_url", format!("not a URL: {e}")))?;
        match url.scheme() {
            "file" => self.fetch_file(&url).await,
            "http" | "https" => self.fetch_http(url).await,
            "s3" => Err(Error::invalid("audio_url", "s3:// recordings need the S3 blob adapter, not configured here")),
            other => Err(Error::invalid("audio_url", format!("unsupported URL scheme `{other}`"))),
        }
    }
}

#[cfg(not(feature = "asr-http"))]
impl DefaultFetcher {
    async fn fetch_http(&self, _url: url::Url) -> Result<FetchedAudio> {
        Err(Error::new(
            ErrorKind::Unavailable,
            "this build cannot fetch http(s) recordings (feature `asr-http` is off)",
        ))
    }
}

#[cfg(feature = "asr-http")]
mod http_fetch {
    //! HTTP(S) fetching with SSRF protection at the DNS layer: every name (the URL's and each
    //! redirect's) resolves through [`PublicOnly`], so a public name can't be pointed at an
    //! internal address, and literal IPs are checked before connecting.

    use std::net::SocketAddr;

    use futures::StreamExt;
    use reqwest::dns::{Addrs, Name, Resolve, Resolving};

    use super::*;

    struct PublicOnly;

    impl Resolve for PublicOnly {
        fn resolve(&self, name: Name) -> Resolving {
            Box::pin(async move {
                let host = name.as_str().to_string();
                let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
                let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| !is_private_address(a.ip())).collect();
                if public.is_empty() {
                    return Err(format!("{host} resolves only to private or local addresses").into());
                }
                Ok(Box::new(public.into_iter()) as Addrs)
            })
        }
    }

    fn refused(host: &str) -> Error {
        Error::invalid(
            "audio_url",
            format!(
                "refusing to fetch from {host}: it is a private, loopback or link-local address (set \
                 OTTO_ALLOW_PRIVATE_URLS=true to allow internal recording servers)"
            ),
        )
    }

    fn literal_ip(url: &url::Url) -> Option<IpAddr> {
        match url.host()? {
            url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
            url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
            url::Host::Domain(_) => None,
        }
    }

    impl DefaultFetcher {
        pub(super) async fn fetch_http(&self, url: url::Url) -> Result<FetchedAudio> {
            let allow_private = self.policy.allow_private_urls;
            if !allow_private && literal_ip(&url).is_some_and(is_private_address) {
                return Err(refused(url.host_str().unwrap_or_default()));
            }
            let redirects = reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 5 {
                    attempt.error("too many redirects")
                } else if !matches!(attempt.url().scheme(), "http" | "https") {
                    attempt.error("redirect to a non-http URL")
                } else if !allow_private && literal_ip(attempt.url()).is_some_and(is_private_address) {
                    attempt.error("redirect to a private address")
                } else {
                    attempt.follow()
                }
            });
            let mut builder = reqwest::Client::builder()
                .connect_timeout(self.policy.connect_timeout)
                .timeout(self.policy.timeout)
                .redirect(redirects);
            if !allow_private {
                builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
            }
            let client = builder
                .build()
                .map_err(|e| Error::new(ErrorKind::Backend, format!("HTTP client setup failed: {e}")))?;
            let shown = format!("{}{}", url.host_str().unwrap_or_default(), url.path());
            let response = client.get(url.clone()).send().await.map_err(|e| {
                let text = format!("{e:?}");
                if text.contains("private or local addresses") || text.contains("redirect to a private") {
                    refused(&shown)
                } else if e.is_timeout() {
                    Error::new(ErrorKind::Unavailable, format!("fetching {shown} timed out"))
                } else {
                    Error::new(ErrorKind::Unavailable, format!("cannot fetch {shown}: {}", e.without_url()))
                }
            })?;
            let status = response.status();
            if !status.is_success() {
                let kind = if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
                    ErrorKind::Unavailable
                } else {
                    ErrorKind::InvalidInput
                };
                return Err(Error::new(kind, format!("audio_url: {shown} answered HTTP {}", status.as_u16())));
            }
            let max = self.policy.max_bytes;
            if let Some(len) = response.content_length() {
                if len > max as u64 {
                    return Err(too_large(len, max));
                }
            }
            let from_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|t| match t.split(';').next().unwrap_or("").trim() {
                    "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => Some("wav"),
                    "audio/mpeg" | "audio/mp3" => Some("mp3"),
                    "audio/flac" | "audio/x-flac" => Some("flac"),
                    "audio/ogg" | "application/ogg" => Some("ogg"),
                    _ => None,
                })
                .map(str::to_string);
            let mut bytes = Vec::new();
            let mut body = response.bytes_stream();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| {
                    Error::new(ErrorKind::Unavailable, format!("download of {shown} failed: {}", e.without_url()))
                })?;
                if bytes.len() + chunk.len() > max {
                    return Err(too_large((bytes.len() + chunk.len()) as u64, max));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(FetchedAudio { bytes, extension: extension_of(url.path()).or(from_type) })
        }
    }
}

/// Handler of `call.process_audio` jobs.
pub struct ProcessAudio {
    otto: Otto,
    fetcher: Arc<dyn AudioFetcher>,
    splitter: Arc<dyn SpeakerSplitter>,
    config: SpeechConfig,
}

impl ProcessAudio {
    /// A handler on `otto`'s ports (its ASR engine must be set) with the default fetcher and the
    /// model-free mono splitter.
    pub fn new(otto: Otto, config: SpeechConfig) -> Self {
        let fetcher = Arc::new(DefaultFetcher::new(config.fetch.clone()));
        Self { otto, fetcher, splitter: Arc::new(PitchSplitter), config }
    }

    /// Replaces the fetcher (tests, custom storage).
    pub fn with_fetcher(mut self, fetcher: Arc<dyn AudioFetcher>) -> Self {
        self.fetcher = fetcher;
        self
    }

    /// Replaces the mono speaker splitter (e.g. a speaker-embedding model).
    pub fn with_splitter(mut self, splitter: Arc<dyn SpeakerSplitter>) -> Self {
        self.splitter = splitter;
        self
    }
}

/// Registers the speech stage on `worker`: [`ProcessAudio`] when `otto` has an ASR engine,
/// otherwise a handler that fails each job permanently with [`INSTALL_HINT`].
pub fn register(worker: Worker, otto: &Otto, config: SpeechConfig) -> Worker {
    if otto.asr().is_some() {
        worker.handle(PROCESS_AUDIO, Arc::new(ProcessAudio::new(otto.clone(), config)))
    } else {
        worker.handle(PROCESS_AUDIO, Arc::new(NoAsrEngine { otto: otto.clone() }))
    }
}

/// Fails `call.process_audio` jobs at once, saying how to install a model.
pub struct NoAsrEngine {
    otto: Otto,
}

#[async_trait]
impl JobHandler for NoAsrEngine {
    async fn run(&self, job: &Job, _ctx: &JobContext) -> Result<()> {
        let payload: ProcessAudioPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| Error::invalid("payload", format!("bad call.process_audio payload: {e}")))?;
        if let Some(mut call) = self.otto.store().get_call(&payload.company_id, &payload.call_id).await? {
            fail_call(&mut call, stages::TRANSCRIPTION, INSTALL_HINT, self.otto.clock().now());
            self.otto.store().update_call(&call).await?;
        }
        Err(Error::invalid("asr", INSTALL_HINT))
    }
}

fn fail_call(call: &mut Call, stage: &str, reason: &str, now: chrono::DateTime<chrono::Utc>) {
    call.status = CallStatus::Failed;
    call.processing_status = CallStatus::Failed;
    call.processing_stages.insert(stage.into(), StageState::Failed);
    call.failure_reason = Some(format!("{stage} failed: {reason}"));
    call.updated_at = now;
}

#[async_trait]
impl JobHandler for ProcessAudio {
    async fn run(&self, job: &Job, ctx: &JobContext) -> Result<()> {
        let payload: ProcessAudioPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| Error::invalid("payload", format!("bad call.process_audio payload: {e}")))?;
        let store = self.otto.store();
        let Some(mut call) = store.get_call(&payload.company_id, &payload.call_id).await? else {
            tracing::warn!(call_id = %payload.call_id, "call vanished before audio processing");
            return Ok(());
        };
        let mut stage = stages::FETCH;
        let result = self.process(&mut call, &mut stage, ctx).await;
        if let Err(e) = &result {
            // Permanent failures (bad audio, refused URL) and the last attempt are recorded on
            // the call; transient ones are retried by the queue while the call stays processing.
            if e.kind() == ErrorKind::InvalidInput || job.attempts >= job.max_attempts {
                let mut latest = store.get_call(&call.company_id, &call.call_id).await?.unwrap_or(call);
                fail_call(&mut latest, stage, e.message(), self.otto.clock().now());
                store.update_call(&latest).await?;
            }
        }
        result
    }
}

impl ProcessAudio {
    async fn save(&self, call: &mut Call, stage: &str, state: StageState, progress: u8) -> Result<()> {
        call.processing_stages.insert(stage.into(), state);
        call.progress = call.progress.max(progress);
        call.updated_at = self.otto.clock().now();
        self.otto.store().update_call(call).await
    }

    async fn process(&self, call: &mut Call, stage: &mut &'static str, ctx: &JobContext) -> Result<()> {
        let asr = self.otto.asr().cloned().ok_or_else(|| Error::invalid("asr", INSTALL_HINT))?;
        let blobs = self.otto.blobs().clone();
        let t_key = transcript_key(&call.company_id, &call.call_id);
        call.status = CallStatus::Processing;
        call.processing_status = CallStatus::Processing;

        // A retry after the transcript was stored only needs the handover.
        let done = call.processing_stages.get(stages::DIARIZATION) == Some(&StageState::Completed);
        if !(done && blobs.exists(&t_key).await?) {
            *stage = stages::FETCH;
            self.save(call, stages::FETCH, StageState::Processing, 5).await?;
            let (bytes, extension) = self.recording(call).await?;
            self.save(call, stages::FETCH, StageState::Completed, 15).await?;
            ctx.progress(15).await?;

            *stage = stages::TRANSCRIPTION;
            self.save(call, stages::TRANSCRIPTION, StageState::Processing, 20).await?;
            let limits = self.config.limits;
            let prepared = tokio::task::spawn_blocking(move || speech::prepare(&bytes, extension.as_deref(), &limits))
                .await
                .map_err(|e| Error::internal(format!("audio decoding task failed: {e}")))??;
            if call.duration.is_none() {
                call.duration = Some(prepared.duration_secs.round() as i64);
            }
            ctx.progress(25).await?;
            let language = call.language.clone().unwrap_or_else(|| "en-US".into());
            // The call's own rep_channel wins; else the company's setting.
            let company_channel = self.otto.store().get_settings(&call.company_id).await?.and_then(|s| s.rep_channel);
            let opts = SpeechOptions {
                rep_channel: call.rep_channel.or(company_channel),
                language: Some(language.split('-').next().unwrap_or("en").to_lowercase()),
                transcript_language: language,
                vad: self.config.vad,
                provider_diarization: self.config.provider_diarization,
            };
            let result =
                speech::transcribe_call(asr.as_ref(), self.splitter.as_ref(), &call.call_id, &prepared, &opts).await?;
            *stage = stages::DIARIZATION;
            call.processing_stages.insert(stages::TRANSCRIPTION.into(), StageState::Completed);
            self.save(call, stages::DIARIZATION, StageState::Processing, 75).await?;
            let transcript = result.transcript;
            let json = serde_json::to_vec_pretty(&transcript).map_err(|e| Error::internal(e.to_string()))?;
            blobs.put(&t_key, json).await?;
            let d_key = diarization_key(&call.company_id, &call.call_id);
            let diarization =
                serde_json::to_vec_pretty(&transcript.segments).map_err(|e| Error::internal(e.to_string()))?;
            blobs.put(&d_key, diarization).await?;
            call.transcript_file_path = Some(blobs.uri(&t_key));
            call.speaker_diarization_file_path = Some(blobs.uri(&d_key));
            tracing::info!(
                company = %call.company_id, call_id = %call.call_id, segments = transcript.segments.len(),
                layout = ?result.layout, asr_secs = result.asr_secs, other_secs = result.other_secs,
                "call transcribed"
            );
            self.save(call, stages::DIARIZATION, StageState::Completed, 80).await?;
            ctx.progress(80).await?;
        }

        // Hand over to analysis: it reads the stored transcript. The job is deduplicated per
        // call, so a retry of this stage can't queue the analysis twice.
        *stage = stages::ANALYSIS;
        let now = self.otto.clock().now();
        self.otto.store().enqueue(&analyze_job(call, None, now)).await?;
        call.processing_stages.entry(stages::ANALYSIS.into()).or_insert(StageState::Pending);
        self.save(call, stages::ANALYSIS, StageState::Pending, 80).await
    }

    /// The original recording: from the blob store when an earlier attempt stored it, else
    /// fetched and stored under `audio/<company>/<call_id>.<ext>`.
    async fn recording(&self, call: &mut Call) -> Result<(Vec<u8>, Option<String>)> {
        let blobs = self.otto.blobs();
        if let Some(path) = &call.audio_file_path {
            let ext = path.rsplit('.').next().map(str::to_string);
            let key = audio_key(&call.company_id, &call.call_id, ext.as_deref().unwrap_or("bin"));
            if blobs.exists(&key).await? {
                return Ok((blobs.get(&key).await?, ext.filter(|e| e != "bin")));
            }
        }
        let url = call.audio_url.clone().ok_or_else(|| Error::invalid("audio_url", "the call has no audio_url"))?;
        let fetched = self.fetcher.fetch(&url).await?;
        if fetched.bytes.len() > self.config.limits.max_bytes {
            return Err(too_large(fetched.bytes.len() as u64, self.config.limits.max_bytes));
        }
        let ext = fetched.extension.clone().unwrap_or_else(|| "bin".into());
        let key = audio_key(&call.company_id, &call.call_id, &ext);
        blobs.put(&key, fetched.bytes.clone()).await?;
        call.audio_file_path = Some(blobs.uri(&key));
        Ok((fetched.bytes, fetched.extension))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_private_addresses_are_recognised() {
        for ip in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1"] {
            assert!(is_private_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1"] {
            assert!(is_private_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "93.184.216.34", "2606:4700::1111"] {
            assert!(!is_private_address(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn test_ssrf_and_file_urls_are_refused_by_default() {
        let fetcher = DefaultFetcher::new(FetchPolicy::default());
        for url in ["http://127.0.0.1:9/a.wav", "http://169.254.169.254/latest/meta-data", "http://[::1]/x.wav"] {
            let err = fetcher.fetch(url).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{url}: {}", err.message());
        }
        #[cfg(feature = "asr-http")]
        {
            // A name that resolves to loopback is refused at the DNS layer.
            let err = fetcher.fetch("http://localhost:9/a.wav").await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", err.message());
            assert!(err.message().contains("OTTO_ALLOW_PRIVATE_URLS"), "{}", err.message());
        }
        let err = fetcher.fetch("file:///etc/passwd").await.unwrap_err();
        assert!(err.message().contains("OTTO_ALLOW_FILE_URLS"), "{}", err.message());
        assert_eq!(extension_of("/rec/call_1.WAV"), Some("wav".into()));
        assert_eq!(extension_of("/rec/call_1"), None);
    }
}
