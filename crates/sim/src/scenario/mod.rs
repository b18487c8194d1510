#![doc = include_str!("../../README.md")]

mod account;
mod column;
mod letters;
mod notation;
mod site;
mod validate;
mod wording;

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

pub(crate) use account::{API_ERRORS, split_menu_path};
pub use account::{Account, MenuFault, MenuLinkFault};
pub use column::{Cms, Column, ColumnFault, ColumnKind};
pub use letters::{LetterField, LetterLabels, LetterSpec};
pub use site::{BrokenLink, Charset, LinkFault, Site, Waf};
pub use wording::{HOMEPAGE, Leader, WordingPlant};

use notation::{de_date, de_window};

/// The built-in scenario: 景德镇市, third quarter of 2020, as in the seed notice.
const SEED: &str = include_str!("../../scenarios/jdz-2020q4.toml");

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The text is not TOML, or a key has the wrong type or is unknown.
    #[error("scenario is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// The TOML is well-formed but describes an impossible city; one line per problem, each
    /// naming the key path.
    #[error("scenario is inconsistent:\n  {}", .0.join("\n  "))]
    Invalid(Vec<String>),
}

/// A simulated city: units, websites with their columns and faults, WeChat accounts.
///
/// Build it with [`Scenario::from_toml`], [`Scenario::load`] or [`Scenario::seed`]; the
/// format is described in the module documentation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub meta: Meta,
    /// Plan keys merged over the simulator's plan (see [`crate::Sim::plan_toml`]).
    #[serde(default)]
    pub plan: toml::Table,
    #[serde(default)]
    pub units: Vec<Unit>,
    /// Hosts that carry columns of a website but have no homepage of their own in the
    /// registry, such as an information-disclosure platform.
    #[serde(default)]
    pub platforms: Vec<Platform>,
    #[serde(default)]
    pub sites: Vec<Site>,
    #[serde(default)]
    pub accounts: Vec<Account>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The city, printed in reports.
    pub region: String,
    /// The registry's name.
    pub name: String,
    /// The statistics window, `"2020-07-01..2020-09-30"`, inclusive.
    #[serde(deserialize_with = "de_window")]
    pub window: (NaiveDate, NaiveDate),
    /// The check point for freshness.
    #[serde(deserialize_with = "de_date")]
    pub as_of: NaiveDate,
    /// Varies the generated titles and identifiers; the same seed gives the same web.
    #[serde(default)]
    pub seed: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Written into the registry's `[[units.leaders]]`.
    #[serde(default)]
    pub leaders: Vec<Leader>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    pub host: String,
    pub name: String,
}

/// Age in days, at `as_of`, of the newest item of a homepage or column: yesterday, unless
/// the scenario says otherwise.
fn default_newest() -> u32 {
    1
}

impl Scenario {
    /// Parses and validates a scenario.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = toml::from_str(text)?;
        s.validate()?;
        Ok(s)
    }

    /// Reads a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Scenario::from_toml(&text)
    }

    /// The built-in scenario: the seed notice's city and quarter (景德镇市, 2020 Q3 window,
    /// checked on 2020-12-17).
    pub fn seed() -> Scenario {
        // The file is part of the crate and a unit test parses it, so failure is a build bug.
        Scenario::from_toml(SEED).expect("the built-in scenario is valid")
    }

    /// The built-in scenario's text, for operators who want a starting point.
    pub fn seed_text() -> &'static str {
        SEED
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }
}
