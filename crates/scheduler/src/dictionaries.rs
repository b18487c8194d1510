//! The plan's dictionary files of wrong phrases, read and checked when a round starts.
//!
//! The round carries their text (see [`DictionaryText`]), so workers on other machines need
//! no copy; a file with a mistake stops the round before it starts, with the file, line,
//! column and key of the mistake — a dictionary that dropped an entry would silently stop
//! finding an error.

use spotcheck_core::Plan;
use spotcheck_core::config_error::{ConfigError, ConfigErrors};
use spotcheck_core::round::DictionaryText;
use spotcheck_wording::{Dictionary, DictionaryError};

/// Every file of the plan's `wording.dictionaries`, in order, each read and validated.
/// Every file's problem is reported, not only the first file's.
pub fn read_dictionaries(plan: &Plan) -> Result<Vec<DictionaryText>, ConfigErrors> {
    let mut texts = Vec::new();
    let mut errors = Vec::new();
    for path in &plan.wording.dictionaries {
        let file = path.display().to_string();
        let problem = |line, column, key: String, message: String| ConfigError {
            file: path.clone(),
            line,
            column,
            key,
            message,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                let message =
                    format!("cannot read the dictionary (plan wording.dictionaries): {e}");
                errors.push(problem(0, 0, String::new(), message));
                continue;
            }
        };
        match Dictionary::parse(&text, &file) {
            Ok(_) => texts.push(DictionaryText { file, text }),
            Err(DictionaryError::Invalid {
                line,
                column,
                key,
                message,
                ..
            }) => errors.push(problem(line, column, key, message)),
            Err(other) => errors.push(problem(0, 0, String::new(), other.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(texts)
    } else {
        Err(ConfigErrors(errors))
    }
}
