//! Rounds for tests, built from registry TOML text: the sections written once here (so a test
//! names only what it is about) and a spot round over the quarter the tests share.

use std::path::Path;

use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_core::{Plan, Registry};

/// The statistics window of the tests' rounds (2020 Q3).
pub const WINDOW: &str = "2020-07-01..2020-09-30";
/// The check point of the tests' rounds.
pub const AS_OF: &str = "2020-12-17";

/// Registry TOML text, a section at a time, laid out as an operator writes it (a blank line
/// before each top-level section, columns indented under their website), so error positions
/// in it are the ones an operator would see.
#[derive(Debug, Clone)]
pub struct RegistryText(String);

impl RegistryText {
    /// `[meta]` of the region `region`, its notice titled `name`.
    pub fn new(region: &str, name: &str) -> RegistryText {
        RegistryText(format!(
            "[meta]\nregion = \"{region}\"\nname = \"{name}\"\n"
        ))
    }

    pub fn unit(self, id: &str, name: &str) -> RegistryText {
        self.push(format!("\n[[units]]\nid = \"{id}\"\nname = \"{name}\"\n"))
    }

    pub fn website(self, id: &str, unit: &str, name: &str, url: &str) -> RegistryText {
        self.push(format!(
            "\n[[websites]]\nid = \"{id}\"\nunit = \"{unit}\"\nname = \"{name}\"\nurl = \"{url}\"\n"
        ))
    }

    /// A column of the website written last; `kind` is its `type`.
    pub fn column(self, name: &str, url: &str, kind: &str) -> RegistryText {
        self.push(format!(
            "  [[websites.columns]]\n  name = \"{name}\"\n  url = \"{url}\"\n  type = \"{kind}\"\n"
        ))
    }

    /// An account; `menu_file`, when given, is the saved menu it is read from.
    pub fn account(
        self,
        id: &str,
        unit: &str,
        platform: &str,
        name: &str,
        menu_file: Option<&str>,
    ) -> RegistryText {
        let menu = menu_file.map_or(String::new(), |m| format!("menu_file = \"{m}\"\n"));
        self.push(format!(
            "\n[[accounts]]\nid = \"{id}\"\nunit = \"{unit}\"\nplatform = \"{platform}\"\nname = \"{name}\"\n{menu}"
        ))
    }

    /// Any further lines, as they are (a key of the section written last, a section of
    /// its own).
    pub fn raw(self, lines: &str) -> RegistryText {
        self.push(lines.to_string())
    }

    /// The registry this text describes, read as the file `r.toml`.
    ///
    /// # Panics
    /// When the text is not a valid registry: the test's own set-up is wrong.
    pub fn parse(&self) -> Registry {
        Registry::parse(&self.0, Path::new("r.toml")).expect("the test's registry parses")
    }

    pub fn text(&self) -> &str {
        &self.0
    }

    fn push(mut self, section: String) -> RegistryText {
        self.0.push_str(&section);
        self
    }
}

/// A spot round `id` over `registry` with `plan`, the window [`WINDOW`] as of [`AS_OF`]: no
/// private targets allowed, no saved menus, every target in scope. Tests that need other
/// settings override fields with `Round { .., ..round(..) }`.
pub fn round(id: &str, registry: Registry, plan: Plan) -> Round {
    Round {
        id: RoundId(id.into()),
        kind: RoundKind::Spot,
        parent: None,
        window: WINDOW.parse().expect("the window parses"),
        as_of: AS_OF.parse().expect("the date parses"),
        registry,
        plan,
        allow_private: false,
        menus: Default::default(),
        dictionaries: Vec::new(),
        scope: None,
    }
}
