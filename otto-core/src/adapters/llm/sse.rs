//! A small server-sent-events decoder (the `text/event-stream` format both providers stream in).
//!
//! Network chunks cut the stream anywhere, even inside a UTF-8 character, so the decoder keeps
//! raw bytes until a whole line has arrived and only then turns it into text.

/// One dispatched event: its `event:` name, if any, and its `data:` lines joined by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event:` field (Anthropic names every event; OpenAI sends none).
    pub(crate) event: Option<String>,
    /// The `data:` payload.
    pub(crate) data: String,
}

/// Incremental decoder: feed it chunks, get back the events they complete.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    buf: Vec<u8>,
    event: Option<String>,
    data: Option<String>,
}

impl SseDecoder {
    /// Adds one chunk and returns the events it completes, in order.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.buf.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(pos) = self.buf[start..].iter().position(|&b| b == b'\n') {
            let end = start + pos;
            let raw = &self.buf[start..end];
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let line = String::from_utf8_lossy(raw).into_owned();
            events.extend(self.line(&line));
            start = end + 1;
        }
        self.buf.drain(..start);
        events
    }

    /// Flushes at end of stream. The spec drops an event that lacks its closing blank line, but
    /// some local servers close the connection right after the last `data:` line, and that last
    /// line is usually `[DONE]` or `message_stop`, so it is kept.
    pub(crate) fn finish(&mut self) -> Option<SseEvent> {
        let rest = std::mem::take(&mut self.buf);
        if !rest.is_empty() {
            let rest = rest.strip_suffix(b"\r").unwrap_or(&rest);
            let line = String::from_utf8_lossy(rest).into_owned();
            if let Some(event) = self.line(&line) {
                return Some(event);
            }
        }
        self.line("")
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let event = self.event.take();
            return self.data.take().map(|data| SseEvent { event, data });
        }
        if line.starts_with(':') {
            // A comment, used as a keep-alive by some proxies.
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            // `id` and `retry` only matter for reconnecting, which a one-shot completion never does.
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent { event: event.map(str::to_owned), data: data.to_owned() }
    }

    #[test]
    fn test_decodes_events_split_across_chunks() {
        let wire = "event: a\ndata: {\"x\":\"é\"}\n\n: keep-alive\n\ndata: one\ndata: two\r\n\r\ndata: [DONE]\n\n";
        let bytes = wire.as_bytes();
        // Every split point, including inside the two-byte `é`, must give the same events.
        for cut in 0..bytes.len() {
            let mut decoder = SseDecoder::default();
            let mut events = decoder.push(&bytes[..cut]);
            events.extend(decoder.push(&bytes[cut..]));
            events.extend(decoder.finish());
            assert_eq!(
                events,
                vec![ev(Some("a"), "{\"x\":\"é\"}"), ev(None, "one\ntwo"), ev(None, "[DONE]")],
                "cut {cut}"
            );
        }
    }

    #[test]
    fn test_keeps_last_event_without_blank_line() {
        let mut decoder = SseDecoder::default();
        assert!(decoder.push(b"data: [DONE]").is_empty());
        assert_eq!(decoder.finish(), Some(ev(None, "[DONE]")));
        assert_eq!(decoder.finish(), None);
    }

    #[test]
    fn test_ignores_events_without_data() {
        let mut decoder = SseDecoder::default();
        assert!(decoder.push(b"event: ping\n\nid: 7\nretry: 10\n\n").is_empty());
    }
}
