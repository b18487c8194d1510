//! HTML character references (`&amp;`, `&#20013;`, `&nbsp;`) in raw attribute values and text.
//!
//! The streaming tokenizer used for links hands over attribute values and text as written in the
//! page; `href="list.jsp?a=1&amp;b=2"` must become `a=1&b=2` before the URL is resolved. Numeric
//! references are decoded fully; named ones cover what government templates use. An unknown
//! name is kept as written, as browsers do.

use std::borrow::Cow;

const NAMED: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{A0}"),
    ("ensp", "\u{2002}"),
    ("emsp", "\u{2003}"),
    ("thinsp", "\u{2009}"),
    ("copy", "©"),
    ("reg", "®"),
    ("middot", "·"),
    ("bull", "•"),
    ("hellip", "…"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("lsaquo", "‹"),
    ("rsaquo", "›"),
    ("times", "×"),
    ("divide", "÷"),
    ("deg", "°"),
    ("sect", "§"),
    ("yen", "¥"),
];

/// Decodes character references; returns the input unchanged when it holds none.
pub fn decode(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match reference(rest) {
            Some((text, used)) => {
                out.push_str(&text);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The text of the reference at the start of `s` (which starts with `&`) and its length in bytes.
fn reference(s: &str) -> Option<(Cow<'static, str>, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 3),
            None => (num, 10, 2),
        };
        let len = digits
            .bytes()
            .take_while(|b| (*b as char).is_digit(radix))
            .count();
        if len == 0 || len > 8 {
            return None;
        }
        let value = u32::from_str_radix(&digits[..len], radix).ok()?;
        let c = match value {
            0 => '\u{FFFD}',
            v => char::from_u32(v).unwrap_or('\u{FFFD}'),
        };
        let semicolon = usize::from(digits[len..].starts_with(';'));
        return Some((Cow::Owned(c.to_string()), skip + len + semicolon));
    }
    let len = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let name = &body[..len];
    let (_, text) = NAMED.iter().find(|(n, _)| *n == name)?;
    let semicolon = usize::from(body[len..].starts_with(';'));
    Some((Cow::Borrowed(text), 1 + len + semicolon))
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_common_references() {
        assert_eq!(decode("a=1&amp;b=2"), "a=1&b=2");
        assert_eq!(decode("&#20013;&#x6587;"), "中文");
        assert_eq!(decode("x&nbsp;y"), "x\u{A0}y");
        assert_eq!(decode("AT&T &unknown; &"), "AT&T &unknown; &");
        assert_eq!(decode("&#99999999999;"), "&#99999999999;");
        assert_eq!(decode("&amp"), "&");
    }
}
