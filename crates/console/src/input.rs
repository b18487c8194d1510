//! What an operator submits to start a round, validated by the same code as
//! `spotcheck registry check`: every problem is collected with its file, line, column and key,
//! and nothing is started unless there is none.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use spotcheck_core::config_error::ConfigError;
use spotcheck_core::round::Round;
use spotcheck_core::window::parse_date;
use spotcheck_core::{Plan, Registry, Window};

/// A round as submitted: the registry and plan as TOML text, with the names they came under.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Submission {
    pub registry: String,
    #[serde(default)]
    pub registry_name: Option<String>,
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub plan_name: Option<String>,
    /// `FROM..TO`; the last full quarter before `as_of` when empty.
    #[serde(default)]
    pub window: Option<String>,
    /// `YYYY-MM-DD`; today when empty.
    #[serde(default)]
    pub as_of: Option<String>,
    #[serde(default)]
    pub allow_private: bool,
}

/// Everything wrong with a submission.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Rejection {
    /// Problems in the registry or plan files.
    pub files: Vec<FileProblem>,
    /// Problems with the other fields (window, as-of).
    pub fields: Vec<String>,
}

/// A problem in a file, where an operator finds it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileProblem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub key: String,
    pub message: String,
}

impl From<&ConfigError> for FileProblem {
    fn from(e: &ConfigError) -> FileProblem {
        FileProblem {
            file: e.file.display().to_string(),
            line: e.line,
            column: e.column,
            key: e.key.clone(),
            message: e.message.clone(),
        }
    }
}

impl Rejection {
    /// The problems as one text, one per line (for the API's error).
    pub fn summary(&self) -> String {
        let files = self.files.iter().map(|p| {
            format!(
                "{}:{}:{}: {}: {}",
                p.file, p.line, p.column, p.key, p.message
            )
        });
        files
            .chain(self.fields.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Validates a submission and builds its round; the round id is unique by the time.
pub fn build(s: &Submission, today: NaiveDate) -> Result<Round, Rejection> {
    let mut rejection = Rejection::default();
    let registry_name = name_or(&s.registry_name, "registry.toml");
    let registry = match Registry::parse(&s.registry, Path::new(&registry_name)) {
        Ok(r) => Some(r),
        Err(errors) => {
            rejection
                .files
                .extend(errors.0.iter().map(FileProblem::from));
            None
        }
    };
    let plan = match s.plan.as_deref().filter(|p| !p.trim().is_empty()) {
        None => Some(Plan::default()),
        Some(text) => match Plan::parse(text, Path::new(&name_or(&s.plan_name, "plan.toml"))) {
            Ok(p) => Some(p),
            Err(errors) => {
                rejection
                    .files
                    .extend(errors.0.iter().map(FileProblem::from));
                None
            }
        },
    };
    let as_of = match blank_to_none(&s.as_of) {
        None => Some(today),
        Some(d) => match parse_date(d) {
            Ok(d) => Some(d),
            Err(e) => {
                rejection.fields.push(format!("检查时点（as_of）：{e}"));
                None
            }
        },
    };
    let window = match (blank_to_none(&s.window), as_of) {
        (None, Some(as_of)) => Some(Window::last_quarter(as_of)),
        (None, None) => None,
        (Some(w), _) => match w.parse::<Window>() {
            Ok(w) => Some(w),
            Err(e) => {
                rejection.fields.push(format!("统计时段（window）：{e}"));
                None
            }
        },
    };
    // A registry sent over the network must not make the console read files of the machine
    // it runs on: saved menus are for rounds started from the command line.
    for a in registry.iter().flat_map(|r| &r.accounts) {
        if a.menu_file.is_some() {
            rejection.fields.push(format!(
                "账号 `{}` 引用了服务器上的菜单文件（menu_file）：网页和 API 发起的抽查只能通过接口读取菜单，请配置 appid 和 secret_env，或在命令行用 `spotcheck round start` 发起",
                a.id
            ));
        }
    }
    // Dictionary files are the same: a plan sent over the network names files of the
    // operator's machine, not of this one.
    if plan
        .as_ref()
        .is_some_and(|p| !p.wording.dictionaries.is_empty())
    {
        rejection.fields.push(
            "计划引用了服务器上的词库文件（wording.dictionaries）：网页和 API 发起的抽查只使用内置词库，请删去该项，或在命令行用 `spotcheck round start` 发起"
                .to_string(),
        );
    }
    let (Some(registry), Some(plan), Some(as_of), Some(window)) = (registry, plan, as_of, window)
    else {
        return Err(rejection);
    };
    if !rejection.fields.is_empty() {
        return Err(rejection);
    }
    let input = spotcheck_scheduler::RoundInput {
        registry,
        plan,
        window,
        as_of,
        allow_private: s.allow_private,
        salt: format!("{:?}", std::time::SystemTime::now()),
    };
    spotcheck_scheduler::build_round(input).map_err(|e| Rejection {
        files: Vec::new(),
        fields: vec![e],
    })
}

fn name_or(name: &Option<String>, default: &str) -> String {
    blank_to_none(name).unwrap_or(default).to_string()
}

fn blank_to_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The as-of date of a re-check: the one given, or today.
pub fn as_of_or_today(given: Option<&str>, today: NaiveDate) -> Result<NaiveDate, String> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today),
        Some(d) => parse_date(d).map_err(|e| format!("复查时点：{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 12, 17).unwrap()
    }

    #[test]
    fn a_registry_that_names_files_of_the_server_is_refused() {
        let registry = r#"
[meta]
name = "某市网站与政务新媒体名册"
region = "某市"

[[units]]
id = "gaj"
name = "市公安局"

[[accounts]]
id = "gaj-wx"
unit = "gaj"
name = "某市公安"
platform = "wechat"
menu_file = "/etc/passwd"
"#;
        let s = Submission {
            registry: registry.into(),
            ..Submission::default()
        };
        let r = build(&s, today()).unwrap_err();
        assert!(r.files.is_empty(), "{:?}", r.files);
        assert!(r.fields[0].contains("gaj-wx"), "{:?}", r.fields);
    }

    #[test]
    fn a_file_that_is_not_a_registry_is_rejected_with_positions() {
        let s = Submission {
            registry: "this is = not [ a registry".into(),
            registry_name: Some("名册.toml".into()),
            window: Some("2020-13-01..x".into()),
            ..Submission::default()
        };
        let r = build(&s, today()).unwrap_err();
        assert!(!r.files.is_empty());
        assert_eq!(r.files[0].file, "名册.toml");
        assert!(r.files[0].line >= 1 && r.files[0].column >= 1);
        assert_eq!(r.fields.len(), 1, "{:?}", r.fields);
        assert!(r.summary().contains("名册.toml:1:"), "{}", r.summary());
    }
}
