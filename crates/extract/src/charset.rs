//! Turning the bytes of a government page into text without garbling Chinese.
//!
//! Many government pages are GBK or GB2312 and say so only in `<meta>`, some only in the
//! `Content-Type` header, some nowhere; servers also lie (a UTF-8 header on a GBK page, a Latin-1
//! default on every page). The order is: byte-order mark (it is in the bytes themselves, so it
//! outranks any label, as in browsers), then the header charset, then a `<meta>` charset in the
//! first [`META_SCAN`] bytes, then statistical detection (chardetng, with the `.cn` hint).
//! A declared charset that does not fit the bytes (malformed sequences where the detector finds an
//! encoding that decodes cleanly) yields to the detector, and a Western single-byte header yields to
//! a `<meta>` that names another charset: both are server defaults, not the author's choice.
//! GB2312 and GBK are decoded as GB18030, their superset, so rare characters in names survive.

use std::sync::LazyLock;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use regex::bytes::Regex;

/// How many leading bytes are searched for a `<meta>` charset (browsers use 1024; some government
/// templates put long comments first).
pub const META_SCAN: usize = 2048;

/// Where the encoding used to decode a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CharsetSource {
    /// The `charset` parameter of the `Content-Type` header.
    Header,
    /// A byte-order mark at the start of the body.
    Bom,
    /// A `<meta charset>` or `<meta http-equiv="Content-Type">` near the start of the page.
    Meta,
    /// Statistical detection: nothing was declared, or what was declared did not fit the bytes.
    Detected,
}

/// A decoded page.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The page text. Malformed sequences are replaced by U+FFFD.
    pub text: String,
    /// The encoding used (GB2312 and GBK are reported as GB18030).
    pub encoding: &'static Encoding,
    /// Where that encoding came from.
    pub source: CharsetSource,
    /// Whether malformed sequences were replaced; evidence that the page may be damaged.
    pub had_errors: bool,
}

/// Decodes a page body, choosing the encoding as described in the module documentation.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = decode_with(encoding, &bytes[bom_len..]);
        return Decoded {
            text,
            encoding,
            source: CharsetSource::Bom,
            had_errors,
        };
    }

    // The `<meta>` is only read when it can decide: without a header charset, or against a
    // Western single-byte one. Every fetched page comes through here, most with a header that
    // settles the question.
    let header = content_type.and_then(header_charset);
    let declared = match header {
        Some(h) if h != WINDOWS_1252 => Some((h, CharsetSource::Header)),
        Some(h) => match meta_charset(bytes) {
            Some(m) if m != WINDOWS_1252 => Some((m, CharsetSource::Meta)),
            _ => Some((h, CharsetSource::Header)),
        },
        None => meta_charset(bytes).map(|m| (m, CharsetSource::Meta)),
    };

    if let Some((encoding, source)) = declared {
        if decodes_cleanly(encoding, bytes) {
            let (text, had_errors) = decode_with(encoding, bytes);
            return Decoded {
                text,
                encoding,
                source,
                had_errors,
            };
        }
        let guessed = detect(bytes);
        if guessed != encoding && decodes_cleanly(guessed, bytes) {
            let (text, had_errors) = decode_with(guessed, bytes);
            return Decoded {
                text,
                encoding: guessed,
                source: CharsetSource::Detected,
                had_errors,
            };
        }
        let (text, had_errors) = decode_with(encoding, bytes);
        return Decoded {
            text,
            encoding,
            source,
            had_errors,
        };
    }

    let encoding = detect(bytes);
    let (text, had_errors) = decode_with(encoding, bytes);
    Decoded {
        text,
        encoding,
        source: CharsetSource::Detected,
        had_errors,
    }
}

/// Maps a charset label to the encoding used to decode it: GB2312 and GBK become GB18030.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'');
    Encoding::for_label(label.as_bytes()).map(widen)
}

fn widen(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == GBK { GB18030 } else { encoding }
}

/// The charset named by a `Content-Type` header value, if any and if known.
pub fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("charset") {
            encoding_for_label(value)
        } else {
            None
        }
    })
}

static META_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_.:\-]+)"#)
        .expect("static regex")
});

/// The charset declared by a `<meta>` element in the first [`META_SCAN`] bytes.
///
/// A `<meta>` cannot truthfully declare UTF-16 (the bytes it is written in would differ), so that
/// reads as UTF-8, as in browsers.
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_SCAN)];
    for caps in META_RE.captures_iter(head) {
        let label = caps.get(1).map(|m| m.as_bytes()).unwrap_or_default();
        if let Some(encoding) = Encoding::for_label(label) {
            return Some(if encoding == UTF_16LE || encoding == UTF_16BE {
                UTF_8
            } else {
                widen(encoding)
            });
        }
    }
    None
}

/// The detector's guess, with the `.cn` top-level domain as the hint.
pub fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    widen(detector.guess(Some(b"cn"), Utf8Detection::Allow))
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> (String, bool) {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), had_errors)
}

/// Whether the bytes hold no malformed sequence in this encoding. A sequence cut off at the very
/// end does not count: bodies are capped while streaming, so the last character may be cut.
fn decodes_cleanly(encoding: &'static Encoding, bytes: &[u8]) -> bool {
    if encoding == UTF_8 {
        // Most pages: validated in place, without decoding them into a copy first.
        return match std::str::from_utf8(bytes) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        };
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(0)
            .min(1 << 24),
    );
    let mut input = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(input, &mut out, false);
        input = &input[read..];
        match result {
            encoding_rs::DecoderResult::InputEmpty => return true,
            encoding_rs::DecoderResult::Malformed(_, _) => return false,
            encoding_rs::DecoderResult::OutputFull => {
                out.clear();
                out.reserve(4096);
            }
        }
    }
}

/// Whether a response is an HTML page worth parsing, from its `Content-Type` and its first bytes.
///
/// Binary signatures win over any label: a PDF or an archive served at an `.html` URL with a
/// `text/html` header is not a page. A missing, generic (`application/octet-stream`) or
/// `text/plain` type is decided by sniffing for markup, and so is an XML type: Hanweb serves a
/// column's records as a bare `<datastore>` of HTML fragments. Any other explicit non-HTML type
/// is not HTML.
pub fn is_html(content_type: Option<&str>, bytes: &[u8]) -> bool {
    if looks_binary(bytes) {
        return false;
    }
    let mime = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty());
    match mime.as_deref() {
        Some("text/html" | "application/xhtml+xml") => true,
        None
        | Some(
            "application/octet-stream"
            | "text/plain"
            | "application/unknown"
            | "text/xml"
            | "application/xml",
        ) => sniffs_as_html(bytes),
        Some(_) => false,
    }
}

const BINARY_SIGNATURES: &[&[u8]] = &[
    b"%PDF-",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", // OLE: .doc .xls .ppt .wps
    b"\x89PNG\r\n\x1A\n",
    b"GIF87a",
    b"GIF89a",
    b"\xFF\xD8\xFF",
    b"BM",
    b"RIFF",
    b"\x1F\x8B",
    b"Rar!\x1A\x07",
    b"7z\xBC\xAF\x27\x1C",
    b"MZ",
    b"\x7FELF",
    b"%!PS",
    b"ID3",
    b"OggS",
    b"FLV\x01",
    b"{\\rtf",
    b"\x00\x00\x01\x00", // .ico
];

fn looks_binary(bytes: &[u8]) -> bool {
    if BINARY_SIGNATURES.iter().any(|sig| bytes.starts_with(sig)) {
        return true;
    }
    // ISO media (mp4, mov): a box size then "ftyp".
    if bytes.len() >= 8 && &bytes[4..8] == b"ftyp" {
        return true;
    }
    if Encoding::for_bom(bytes).is_some_and(|(e, _)| e == UTF_16LE || e == UTF_16BE) {
        return false;
    }
    // Text never holds NUL or most other C0 controls.
    let head = &bytes[..bytes.len().min(1024)];
    head.iter()
        .any(|&b| matches!(b, 0x00..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F))
}

fn sniffs_as_html(bytes: &[u8]) -> bool {
    let bytes = match Encoding::for_bom(bytes) {
        Some((_, len)) => &bytes[len..],
        None => bytes,
    };
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 512)];
    const TAGS: &[&[u8]] = &[
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
        b"<h1",
        b"<div",
        b"<font",
        b"<table",
        b"<a ",
        b"<style",
        b"<title",
        b"<b>",
        b"<br",
        b"<p",
        b"<meta",
        b"<!--",
        b"<datastore",
    ];
    TAGS.iter()
        .any(|tag| head.len() >= tag.len() && head[..tag.len()].eq_ignore_ascii_case(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_charset_reads_quoted_and_aliases() {
        assert_eq!(
            header_charset("text/html; charset=\"GB2312\""),
            Some(GB18030)
        );
        assert_eq!(header_charset("text/html;charset=utf-8"), Some(UTF_8));
        assert_eq!(header_charset("text/html"), None);
        assert_eq!(header_charset("text/html; charset=nonsense"), None);
    }

    #[test]
    fn meta_forms() {
        assert_eq!(meta_charset(b"<meta charset=gbk>"), Some(GB18030));
        assert_eq!(
            meta_charset(
                b"<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=x-gbk\">"
            ),
            Some(GB18030)
        );
        assert_eq!(meta_charset(b"<meta charset=\"utf-16\">"), Some(UTF_8));
        assert_eq!(meta_charset(b"<meta name=x content=y>"), None);
    }

    #[test]
    fn truncated_last_character_is_not_malformed() {
        let bytes = "政务动态".as_bytes();
        assert!(decodes_cleanly(UTF_8, &bytes[..bytes.len() - 1]));
        assert!(!decodes_cleanly(UTF_8, b"\xff\xfe ok"));
    }

    #[test]
    fn binary_and_html_sniffing() {
        assert!(!is_html(Some("text/html"), b"%PDF-1.4 ..."));
        assert!(!is_html(Some("application/pdf"), b"<html>"));
        assert!(is_html(None, b"  \n<!DOCTYPE html><html>"));
        assert!(is_html(Some("application/octet-stream"), b"<html><body>"));
        assert!(!is_html(None, b"just some words"));
        assert!(!is_html(Some("text/html"), b"<html>\x00\x01\x02"));
        assert!(is_html(Some("text/html; charset=gbk"), b"<html>\xd5\xfe"));
    }
}
