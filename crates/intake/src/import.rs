//! An import as a whole: the files' sheets into one registry, checked by the registry's own
//! loader before anyone writes it.

use std::path::PathBuf;

use spotcheck_core::Registry;

use crate::problem::{Origin, Problem};
use crate::rows::Draft;
use crate::toml_out::{self, Meta};
use crate::{IntakeError, sheet};

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Workbooks or CSV files; every sheet with a header we know is read, websites or
    /// accounts alike.
    pub files: Vec<PathBuf>,
    pub region: String,
    pub name: String,
    /// Where the registry will be written: names the file in the loader's messages.
    pub out: PathBuf,
}

/// The registry text and what went into it.
#[derive(Debug)]
pub struct Imported {
    /// Registry text the registry loader accepts; the rows with problems are left out.
    pub text: String,
    pub units: usize,
    pub websites: usize,
    pub accounts: usize,
    /// Every row and sheet that could not be used.
    pub problems: Vec<Problem>,
}

/// Reads every file's sheets into a registry. Rows that cannot be used are left out and
/// listed in [`Imported::problems`]; a file that cannot be read at all is an error.
pub fn import(options: &Options) -> Result<Imported, IntakeError> {
    let mut draft = Draft::default();
    let mut sources = Vec::new();
    for path in &options.files {
        let sheets = sheet::read(path)?;
        if let Some(first) = sheets.first() {
            sources.push(first.file.clone());
        }
        for s in &sheets {
            draft.add_sheet(s);
        }
    }
    let meta = Meta {
        region: options.region.clone(),
        name: options.name.clone(),
    };
    // The loader judges what rows cannot (an address inside a private range); the entries
    // it refuses are left out as problems of their rows, and the rest is judged again.
    let mut text = toml_out::write(&draft, &meta, &sources);
    while let Err(errors) = Registry::parse(&text, &options.out) {
        let mut left_out = Vec::new();
        for e in &errors.0 {
            let Some((list, i, origin)) = refused_entry(&draft, &e.key) else {
                return Err(IntakeError::Refused(errors.to_string()));
            };
            draft.problems.push(Problem {
                column: None,
                ..Problem::at(&origin, None, "", format!("{}: {}", e.key, e.message))
            });
            left_out.push((list, i));
        }
        left_out.sort();
        left_out.dedup();
        for (list, i) in left_out.into_iter().rev() {
            match list {
                List::Websites => drop(draft.websites.remove(i)),
                List::Accounts => drop(draft.accounts.remove(i)),
            }
        }
        text = toml_out::write(&draft, &meta, &sources);
    }
    Ok(Imported {
        text,
        units: draft.units.len(),
        websites: draft.websites.len(),
        accounts: draft.accounts.len(),
        problems: draft.problems,
    })
}

/// The lists whose entries the loader may refuse one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum List {
    Websites,
    Accounts,
}

/// The list, index and source row of the entry a loader error's key (`websites[3].url`)
/// points into.
fn refused_entry(draft: &Draft, key: &str) -> Option<(List, usize, Origin)> {
    let (list, rest) = key.split_once('[')?;
    let index: usize = rest.split_once(']')?.0.parse().ok()?;
    match list {
        "websites" => Some((
            List::Websites,
            index,
            draft.websites.get(index)?.origin.clone(),
        )),
        "accounts" => Some((
            List::Accounts,
            index,
            draft.accounts.get(index)?.origin.clone(),
        )),
        _ => None,
    }
}

/// The default `[meta] name` for a region.
pub fn default_name(region: &str) -> String {
    format!("{region}政府网站与政务新媒体")
}
