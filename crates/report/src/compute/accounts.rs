//! WeChat accounts: a menu that could not be read, and every broken menu button.

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::Task;
use spotcheck_core::outcome::{LinkState, MenuOutcome, MenuSource, Outcome};

use super::Computation;
use crate::model::Finding;

impl<'a> Computation<'a> {
    pub(super) fn accounts(&mut self) {
        for r in self.results {
            let (Task::Menu { account }, Outcome::Menu(menu)) = (&r.job.task, &r.outcome) else {
                continue;
            };
            let Some(acc) = self.reg.account(account) else {
                continue;
            };
            self.checked_accounts.insert(&acc.id);
            self.menu(acc.id.as_str(), &acc.unit, &acc.name, menu);
        }
    }

    fn menu(&mut self, account: &'a str, unit: &str, name: &str, menu: &MenuOutcome) {
        let unit = self.unit_name(unit);
        if menu.source == MenuSource::None {
            self.findings.push(Finding {
                indicator: Indicator::WechatUnavailable,
                severity: Severity::Notice,
                unit: unit.clone(),
                target: name.to_string(),
                url: None,
                detail: menu
                    .problem
                    .clone()
                    .unwrap_or_else(|| "菜单无法读取".into()),
                pages: Vec::new(),
                menu_path: None,
                website: None,
                account: Some(account.to_string()),
                margin: None,
                wording: None,
            });
            return;
        }
        for button in &menu.buttons {
            for url in &button.urls {
                let Some(v) = self.verdicts.get(url.as_str()) else {
                    continue;
                };
                let (severity, detail) = match v.state {
                    LinkState::Ok => continue,
                    LinkState::Broken => (
                        Severity::Deduct,
                        format!("{}，菜单 {}", v.reason, button.path),
                    ),
                    LinkState::Unknown => (
                        Severity::Notice,
                        format!("无法判定（{}），菜单 {}", v.reason, button.path),
                    ),
                };
                self.findings.push(Finding {
                    indicator: Indicator::MenuLinkBroken,
                    severity,
                    unit: unit.clone(),
                    target: name.to_string(),
                    url: Some(url.to_string()),
                    detail,
                    pages: Vec::new(),
                    menu_path: Some(button.path.clone()),
                    website: None,
                    account: Some(account.to_string()),
                    margin: None,
                    wording: None,
                });
            }
        }
    }
}
