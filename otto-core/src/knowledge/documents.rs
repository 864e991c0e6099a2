//! Text out of uploaded documents, and document chunks.
//!
//! Supported: PDF (per page, so citations carry the page), DOCX (paragraphs, headings kept as
//! Markdown headings), HTML, Markdown and plain text. Chunks follow the document's structure
//! (headings, paragraphs, sentences) with overlap, via `text-splitter`.

use std::io::Read;

use crate::domain::{Chunk, Document, SourceType};
use crate::error::{Error, Result};

/// Target chunk size in characters (a few paragraphs).
const CHUNK_CHARS: std::ops::Range<usize> = 600..1200;
/// Characters two neighbouring chunks share.
const OVERLAP_CHARS: usize = 150;

/// Text extracted from a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// Title found in the document (first heading or PDF title line).
    pub title: Option<String>,
    /// Text per page (a single "page" for formats without pages).
    pub pages: Vec<String>,
    /// Whether the format has real pages (PDF).
    pub paged: bool,
}

/// Detects the format from the bytes (and the file name for text formats).
pub fn detect(file_name: &str, bytes: &[u8]) -> Result<&'static str> {
    if bytes.is_empty() {
        return Err(Error::invalid("file", "the file is empty"));
    }
    if bytes.starts_with(b"%PDF") {
        return Ok("pdf");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let is_docx = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map(|z| z.file_names().any(|n| n == "word/document.xml"))
            .unwrap_or(false);
        return if is_docx {
            Ok("docx")
        } else {
            Err(Error::invalid("file", "a ZIP archive that is not a Word (.docx) document"))
        };
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(Error::invalid("file", "not a supported document: use PDF, DOCX, HTML, Markdown or UTF-8 text"));
    };
    let lower = file_name.to_lowercase();
    let head = text.trim_start().get(..200).unwrap_or(text.trim_start()).to_lowercase();
    if lower.ends_with(".html")
        || lower.ends_with(".htm")
        || head.starts_with("<!doctype html")
        || head.starts_with("<html")
    {
        Ok("html")
    } else if lower.ends_with(".md") || lower.ends_with(".markdown") {
        Ok("markdown")
    } else {
        Ok("text")
    }
}

/// Extracts the text of a document of `kind` (from [`detect`]).
pub fn extract(kind: &str, bytes: &[u8]) -> Result<Extracted> {
    match kind {
        "pdf" => pdf(bytes),
        "docx" => docx(bytes),
        "html" => {
            let text = html2text::from_read(bytes, 100)
                .map_err(|e| Error::invalid("file", format!("unreadable HTML: {e}")))?;
            Ok(Extracted { title: first_heading(&text), pages: vec![text], paged: false })
        }
        "markdown" | "text" => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            Ok(Extracted { title: first_heading(&text), pages: vec![text], paged: false })
        }
        other => Err(Error::invalid("file", format!("unsupported document kind `{other}`"))),
    }
}

fn pdf(bytes: &[u8]) -> Result<Extracted> {
    // pdf-extract can panic on malformed files; a bad upload must fail the job, not the worker.
    let owned = bytes.to_vec();
    let pages = std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem_by_pages(&owned))
        .map_err(|_| Error::invalid("file", "the PDF is damaged and could not be read"))?
        .map_err(|e| {
            let msg = e.to_string();
            if msg.to_lowercase().contains("encrypt") || msg.to_lowercase().contains("password") {
                Error::invalid("file", "the PDF is encrypted; upload an unprotected copy")
            } else {
                Error::invalid("file", format!("the PDF could not be read: {msg}"))
            }
        })?;
    if pages.iter().all(|p| p.trim().is_empty()) {
        return Err(Error::invalid(
            "file",
            "the PDF has no extractable text (a scan?); upload a text PDF or the source document",
        ));
    }
    let title = pages.iter().find_map(|p| p.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string));
    Ok(Extracted { title, pages, paged: true })
}

fn docx(bytes: &[u8]) -> Result<Extracted> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::invalid("file", format!("unreadable DOCX: {e}")))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| Error::invalid("file", "the DOCX has no word/document.xml"))?
        .read_to_string(&mut xml)
        .map_err(|e| Error::invalid("file", format!("unreadable DOCX: {e}")))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut out, mut para, mut heading, mut in_text) = (String::new(), String::new(), 0usize, false);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().into_inner() {
                "t" => in_text = true,
                "tab" => para.push('\t'),
                "br" => para.push('\n'),
                "pStyle" => {
                    let style = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().into_inner() == "val")
                        .map(|a| a.value.to_lowercase())
                        .unwrap_or_default();
                    if style == "title" {
                        heading = 1;
                    } else if let Some(n) = style.strip_prefix("heading") {
                        heading = n.trim().parse().unwrap_or(1);
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => para.push_str(t.as_ref()),
            Ok(Event::GeneralRef(r)) if in_text => {
                para.push_str(match r.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Ok(Event::End(e)) => match e.local_name().into_inner() {
                "t" => in_text = false,
                "p" => {
                    let text = para.trim();
                    if !text.is_empty() {
                        if heading > 0 {
                            out.push_str(&"#".repeat(heading.min(6)));
                            out.push(' ');
                        }
                        out.push_str(text);
                        out.push_str("\n\n");
                    }
                    para.clear();
                    heading = 0;
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(Error::invalid("file", format!("unreadable DOCX XML: {e}"))),
            _ => {}
        }
    }
    if out.trim().is_empty() {
        return Err(Error::invalid("file", "the DOCX contains no text"));
    }
    Ok(Extracted { title: first_heading(&out), pages: vec![out], paged: false })
}

fn first_heading(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.trim_start_matches('#').trim().chars().take(200).collect())
}

/// The chunks of a document: structure-aware, overlapping, with the page for PDFs.
pub fn chunk_document(doc: &Document, extracted: &Extracted, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Chunk>> {
    let config = text_splitter::ChunkConfig::new(CHUNK_CHARS)
        .with_overlap(OVERLAP_CHARS)
        .map_err(|e| Error::internal(e.to_string()))?;
    let splitter = text_splitter::MarkdownSplitter::new(config);
    let title = format!("{} ({} document)", doc.title, doc.document_type.as_str());
    let mut out = Vec::new();
    for (i, page) in extracted.pages.iter().enumerate() {
        for text in splitter.chunks(page) {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let position = out.len() as u32;
            let mut metadata = serde_json::Map::new();
            metadata.insert("chunk_kind".into(), "document".into());
            metadata.insert("document_type".into(), doc.document_type.as_str().into());
            if let Some(role) = &doc.audience_role {
                metadata.insert("audience_role".into(), role.clone().into());
            }
            out.push(Chunk {
                chunk_id: Chunk::id_for(&doc.document_id, position, text),
                company_id: doc.company_id.clone(),
                source_type: SourceType::Document,
                source_id: doc.document_id.clone(),
                rep_id: None,
                title: title.clone(),
                position,
                text: text.to_string(),
                segment_start: None,
                segment_end: None,
                start_time: None,
                page: extracted.paged.then_some(i as u32 + 1),
                metadata,
                occurred_at: None,
                created_at: now,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_detects_formats_and_refuses_junk() {
        assert_eq!(detect("a.pdf", b"%PDF-1.4 ...").unwrap(), "pdf");
        assert_eq!(detect("a.md", b"# Title\n").unwrap(), "markdown");
        assert_eq!(detect("page", b"<!DOCTYPE html><html></html>").unwrap(), "html");
        assert_eq!(detect("notes.txt", b"plain").unwrap(), "text");
        assert!(detect("x.bin", &[0xff, 0xfe, 0x00, 0x81]).unwrap_err().message().contains("not a supported"));
        assert!(detect("x.txt", b"").unwrap_err().message().contains("empty"));
        assert!(detect("x.zip", b"PK\x03\x04junk").is_err());
    }

    #[test]
    fn test_broken_pdf_fails_with_a_reason_not_a_panic() {
        let e = extract("pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    }

    #[test]
    fn test_docx_paragraphs_and_headings() {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts: zip::write::SimpleFileOptions = Default::default();
            z.start_file("word/document.xml", opts).unwrap();
            z.write_all(
                br#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
                <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Price Objections</w:t></w:r></w:p>
                <w:p><w:r><w:t>Acknowledge the concern &amp; offer financing.</w:t></w:r></w:p>
                </w:body></w:document>"#,
            )
            .unwrap();
            z.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert_eq!(detect("guide.docx", &bytes).unwrap(), "docx");
        let x = extract("docx", &bytes).unwrap();
        assert_eq!(x.title.as_deref(), Some("Price Objections"));
        assert!(x.pages[0].contains("# Price Objections\n\nAcknowledge the concern & offer financing."));
    }
}
