//! Client files, the pure part: what an upload's bytes are (sniffed, never trusted from the name or
//! the browser), the name we keep, and how a download names itself.

use bytes::Bytes;

use crate::error::{ApiError, Code};

/// Longest stored file name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

// ---- content sniffing ----

/// How many leading bytes the sniffer looks at.
const SNIFF_BYTES: usize = 8192;

/// The type to store, detected from the content; `415 unsupported_file_type` for what we refuse.
pub fn sniff(chunks: &[Bytes]) -> Result<String, ApiError> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    for c in chunks {
        let take = (SNIFF_BYTES - head.len()).min(c.len());
        head.extend_from_slice(&c[..take]);
        if head.len() == SNIFF_BYTES {
            break;
        }
    }
    if let Some(kind) = infer::get(&head) {
        let mime = kind.mime_type();
        return match kind.matcher_type() {
            infer::MatcherType::App => Err(refused(&format!("executable content ({mime})"))),
            _ if REFUSED.contains(&mime) => Err(refused(mime)),
            // Markup is stored as plain text so it can never be served as a live page.
            infer::MatcherType::Text if mime != "text/plain" => Ok("text/plain; charset=utf-8".into()),
            _ => Ok(mime.to_string()),
        };
    }
    if head.starts_with(b"#!") {
        return Err(refused("a script"));
    }
    if head.starts_with(b"\x7fELF") {
        // too short for `infer` to call it ELF, but still an executable's header
        return Err(refused("executable content (application/x-executable)"));
    }
    if is_utf8(chunks) {
        Ok("text/plain; charset=utf-8".into())
    } else {
        Ok("application/octet-stream".into())
    }
}

/// Types `infer` files outside `App` that still run code or install software.
const REFUSED: &[&str] = &[
    "text/x-shellscript",
    "application/x-shockwave-flash",
    "application/x-google-chrome-extension",
    "application/vnd.ms-cab-compressed",
    "application/vnd.debian.binary-package",
    "application/x-rpm",
    // MSI installers (and other bare OLE containers; Word/Excel/PowerPoint are recognised before this)
    "application/x-ole-storage",
];

fn refused(what: &str) -> ApiError {
    ApiError::new(
        Code::UnsupportedFileType,
        format!("Files of this type cannot be uploaded: {what}."),
    )
}

/// Whether the chunks are valid UTF-8 as a whole (a character may straddle two chunks).
fn is_utf8(chunks: &[Bytes]) -> bool {
    let mut carry: Vec<u8> = Vec::new();
    for c in chunks {
        let mut buf = std::mem::take(&mut carry);
        buf.extend_from_slice(c);
        match std::str::from_utf8(&buf) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => carry = buf[e.valid_up_to()..].to_vec(),
            Err(_) => return false,
        }
    }
    carry.is_empty()
}

// ---- names ----

/// The file name to keep: the last path segment, without control or bidirectional-override characters,
/// trimmed, at most 200 characters (keeping a short extension), never empty.
pub fn sanitise_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim().to_string();
    if cleaned.is_empty() {
        return "file".into();
    }
    let n = cleaned.chars().count();
    if n <= MAX_NAME_CHARS {
        return cleaned;
    }
    match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !ext.is_empty() && ext.chars().count() <= 16 => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
            format!("{}.{ext}", stem.chars().take(keep).collect::<String>())
        }
        _ => cleaned.chars().take(MAX_NAME_CHARS).collect(),
    }
}

/// Zero-width and bidirectional control characters (used to disguise `exe` as `pdf` and the like).
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 and 5987).
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        let attr_char = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if attr_char {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_controls_and_overrides() {
        assert_eq!(sanitise_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_name("C:\\Users\\me\\report.pdf"), "report.pdf");
        assert_eq!(sanitise_name("in\u{202E}fdp.exe"), "infdp.exe");
        assert_eq!(sanitise_name("a\nb\tc.txt"), "abc.txt");
        assert_eq!(sanitise_name("  "), "file");
        assert_eq!(sanitise_name(".."), "file");
        let long = format!("{}.pdf", "x".repeat(300));
        let s = sanitise_name(&long);
        assert_eq!(s.chars().count(), MAX_NAME_CHARS);
        assert!(s.ends_with(".pdf"));
    }

    #[test]
    fn disposition_has_an_ascii_fallback_and_an_encoded_name() {
        assert_eq!(
            content_disposition("Résumé \"final\".pdf"),
            "attachment; filename=\"R_sum_ _final_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf"
        );
        assert_eq!(
            content_disposition("plan.png"),
            "attachment; filename=\"plan.png\"; filename*=UTF-8''plan.png"
        );
    }

    #[test]
    fn sniffing_trusts_bytes_not_names() {
        let png = Bytes::from_static(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        assert_eq!(sniff(&[png]).unwrap(), "image/png");
        let exe = Bytes::from_static(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0");
        assert!(sniff(&[exe]).is_err());
        let elf = Bytes::from_static(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        assert!(sniff(&[elf]).is_err());
        assert!(sniff(&[Bytes::from_static(b"#!/bin/sh\nrm -rf /\n")]).is_err());
        let split = "é".as_bytes();
        let text = [
            Bytes::from_static(b"caf"),
            Bytes::copy_from_slice(&split[..1]),
            Bytes::copy_from_slice(&split[1..]),
        ];
        assert_eq!(sniff(&text).unwrap(), "text/plain; charset=utf-8");
        assert_eq!(
            sniff(&[Bytes::from_static(b"\x00\xff\xfe\x01")]).unwrap(),
            "application/octet-stream"
        );
    }
}
