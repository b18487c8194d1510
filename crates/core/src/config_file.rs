//! Loading an operator's file (the registry, the plan): read it, then parse and validate it.
//!
//! A file that cannot be read is reported like any other problem in it — one positioned
//! error naming the file — so `registry check` prints every failure the same way.

use std::path::Path;

use crate::config_error::{ConfigError, ConfigErrors};

/// Reads `path` and hands its text to `parse`; `what` names the file in the error
/// (`registry`, `plan`).
pub(crate) fn load<T>(
    path: &Path,
    what: &str,
    parse: impl FnOnce(&str, &Path) -> Result<T, ConfigErrors>,
) -> Result<T, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read the {what}: {e}"),
        }])
    })?;
    parse(&text, path)
}
