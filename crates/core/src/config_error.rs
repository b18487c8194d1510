//! Errors in operator-written files, with the position an operator needs to fix them.
//!
//! Every error names the file, the line and column, and the offending key, so a typo in a
//! registry of 300 units is found in seconds. Positions come from the TOML document's spans.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::DeValue;

/// One problem in a registry or plan file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The key at fault as a path, e.g. `websites[3].unit`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.key,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// A list of problems found in one file, printed one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// One step of a key path into a TOML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A key path, printed as `websites[3].columns[0].url`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub fn key(&self, k: &str) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }
    pub fn index(&self, i: usize) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The text of an operator file, able to turn byte offsets and key paths into positions.
pub struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    doc: Option<toml::Spanned<DeValue<'a>>>,
}

impl<'a> Source<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Self {
        let doc = toml::de::DeTable::parse(text).ok().map(|t| {
            let span = t.span();
            toml::Spanned::new(span, DeValue::Table(t.into_inner()))
        });
        Source { file, text, doc }
    }

    /// 1-based line and character column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }

    /// The span of the value at `path`, or of its nearest existing ancestor.
    pub fn span_of(&self, path: &KeyPath) -> Range<usize> {
        let Some(doc) = &self.doc else { return 0..0 };
        let mut cur = doc;
        for seg in &path.0 {
            let next = match seg {
                Seg::Key(k) => cur.get_ref().get(k.as_str()),
                Seg::Index(i) => cur.get_ref().get(*i),
            };
            match next {
                Some(n) => cur = n,
                None => break,
            }
        }
        cur.span()
    }

    /// An error at the value found at `path`.
    pub fn error_at(&self, path: &KeyPath, message: impl Into<String>) -> ConfigError {
        let (line, column) = self.position(self.span_of(path).start);
        ConfigError {
            file: self.file.to_path_buf(),
            line,
            column,
            key: path.to_string(),
            message: message.into(),
        }
    }

    /// Turns a TOML syntax or type error into a positioned error naming the key at fault.
    pub fn from_toml(&self, err: &toml::de::Error) -> ConfigError {
        let span = err.span().unwrap_or(0..0);
        let (line, column) = self.position(span.start);
        let message = err.message().trim().to_string();
        let mut path = self.path_at(span.start);
        // A missing field is reported at its table; serde names it in backquotes.
        if message.starts_with("missing field") {
            if let Some(k) = between_backquotes(&message) {
                if path.0.last() != Some(&Seg::Key(k.to_string())) {
                    path = path.key(k);
                }
            }
        }
        ConfigError {
            file: self.file.to_path_buf(),
            line,
            column,
            key: path.to_string(),
            message,
        }
    }

    /// The path of the innermost value whose span holds `offset`. Tables opened by a
    /// `[header]` do not span their keys, so every branch is searched.
    fn path_at(&self, offset: usize) -> KeyPath {
        fn search(v: &DeValue<'_>, offset: usize, path: &mut KeyPath) -> bool {
            type Child<'a, 'i> = (
                Seg,
                Option<std::ops::Range<usize>>,
                &'a toml::Spanned<DeValue<'i>>,
            );
            let children: Vec<Child<'_, '_>> = match v {
                DeValue::Table(t) => t
                    .iter()
                    .map(|(k, v)| (Seg::Key(k.get_ref().to_string()), Some(k.span()), v))
                    .collect(),
                DeValue::Array(a) => a
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (Seg::Index(i), None, v))
                    .collect(),
                _ => return false,
            };
            for (seg, key_span, child) in children {
                path.0.push(seg);
                let on_key = key_span.is_some_and(|k| k.contains(&offset));
                if on_key || search(child.get_ref(), offset, path) || child.span().contains(&offset)
                {
                    return true;
                }
                path.0.pop();
            }
            false
        }
        let mut path = KeyPath::default();
        if let Some(doc) = &self.doc {
            search(doc.get_ref(), offset, &mut path);
        }
        path
    }
}

fn between_backquotes(s: &str) -> Option<&str> {
    let start = s.find('`')? + 1;
    let len = s[start..].find('`')?;
    Some(&s[start..start + len])
}
