//! How much a check the national indicators leave to each office weighs: the plan says
//! whether its findings only inform, cost points, fail the site, or are not checked at all.

use serde::{Deserialize, Serialize};

use crate::indicator::Severity;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Listed in the notice's attachment, never held against the unit.
    #[default]
    Notice,
    Deduct,
    Veto,
    /// Not checked: no job is made and no finding given.
    Off,
}

impl Level {
    /// The severity of the check's findings; `None` when the check is off.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Notice => Some(Severity::Notice),
            Level::Deduct => Some(Severity::Deduct),
            Level::Veto => Some(Severity::Veto),
            Level::Off => None,
        }
    }

    pub fn is_on(self) -> bool {
        self != Level::Off
    }
}
