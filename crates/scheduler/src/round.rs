//! Building a round record from the operator's inputs.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_core::{Plan, Registry, Window};

/// What an operator gives to start a spot round.
pub struct RoundInput {
    pub registry: Registry,
    pub plan: Plan,
    pub window: Window,
    pub as_of: NaiveDate,
    pub allow_private: bool,
    /// Makes the round id unique (e.g. [`salt_now`]).
    pub salt: String,
}

/// A salt that makes a round id unique: 64 random bits.
pub fn salt_now() -> String {
    format!("{:016x}", fastrand::u64(..))
}

/// Builds the round, reading every saved menu file and dictionary now so the round carries
/// them.
pub fn build_round(input: RoundInput) -> Result<Round, String> {
    let dictionaries = crate::read_dictionaries(&input.plan).map_err(|e| e.to_string())?;
    let mut menus = BTreeMap::new();
    for a in &input.registry.accounts {
        if let Some(path) = &a.menu_file {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    menus.insert(a.id.clone(), text);
                }
                // With API credentials the file is only a fallback: a missing file is a
                // warning; without credentials the account cannot be read at all.
                Err(e) if a.appid.is_some() => tracing::warn!(
                    account = %a.id,
                    "saved menu {} unreadable ({e}); the API alone will be used",
                    path.display()
                ),
                Err(e) => {
                    return Err(format!(
                        "account `{}`: cannot read its saved menu {}: {e}",
                        a.id,
                        path.display()
                    ));
                }
            }
        }
    }
    Ok(Round {
        id: RoundId::new(input.as_of, &input.salt),
        kind: RoundKind::Spot,
        parent: None,
        window: input.window,
        as_of: input.as_of,
        registry: input.registry,
        plan: input.plan,
        allow_private: input.allow_private,
        menus,
        dictionaries,
        scope: None,
    })
}
