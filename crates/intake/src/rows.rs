//! Rows to registry entries: a website or an account per row, units by 主办单位, every row
//! that cannot be used reported with its sheet, row and column.

use std::collections::HashMap;

use spotcheck_core::plan::notify::is_email_address;
use spotcheck_core::registry::{Account, Platform, Unit, Website};
use url::Url;

use crate::header::{self, Field, Header, SheetKind, label_of};
use crate::problem::{Origin, Problem};
use crate::sheet::Sheet;

/// A registry entry with the row it came from and what the registry has no field for (a
/// site's 网站类型, an account's platform as the sheet names it), written as a comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<T> {
    pub value: T,
    pub origin: Origin,
    pub notes: Vec<String>,
}

/// The entries read so far and the problems found.
#[derive(Debug, Default)]
pub struct Draft {
    pub units: Vec<Entry<Unit>>,
    pub websites: Vec<Entry<Website>>,
    pub accounts: Vec<Entry<Account>>,
    pub problems: Vec<Problem>,
    /// Unit name → index in `units`: units are one per distinct 主办单位.
    unit_by_name: HashMap<String, usize>,
    /// Website and account id → the row that took it.
    site_rows: HashMap<String, Origin>,
    account_rows: HashMap<String, Origin>,
}

/// One row being read: its cells by field, and its problems.
struct Row<'a> {
    sheet: &'a Sheet,
    header: &'a Header,
    index: usize,
    origin: Origin,
    problems: Vec<Problem>,
}

impl Row<'_> {
    fn get(&self, field: Field) -> &str {
        self.header
            .column(field)
            .map(|c| self.sheet.cell(self.index, c))
            .unwrap_or("")
    }

    /// A problem with the row's cell of `field`, named by the field's first label (a
    /// two-row header's lower cell alone, e.g. 名称 under 主办单位, would not say which).
    fn bad(&mut self, field: Field, message: String) {
        self.problems.push(Problem::at(
            &self.origin,
            self.header.column(field),
            label_of(field),
            message,
        ));
    }

    /// The unit's email, when the row gives one, must be an address (the notices go there).
    fn check_email(&mut self) {
        let email = self.get(Field::UnitEmail).to_string();
        if !email.is_empty() && !is_email_address(&email) {
            self.bad(
                Field::UnitEmail,
                format!("`{email}` is not an email address"),
            );
        }
    }

    /// A field that must not be empty.
    fn required(&mut self, field: Field) -> Option<String> {
        let value = self.get(field).to_string();
        if value.is_empty() {
            self.bad(field, "is empty".to_string());
            return None;
        }
        Some(value)
    }

    /// The registry id this row asks for in its 编号 column, if any and valid.
    fn given_id(&mut self) -> Result<Option<String>, ()> {
        let id = self.get(Field::Id).to_string();
        if id.is_empty() {
            return Ok(None);
        }
        if !is_id(&id) {
            self.bad(Field::Id, format!("`{id}` is not an id: [a-z0-9_-]+"));
            return Err(());
        }
        Ok(Some(id))
    }
}

impl Draft {
    /// Reads one sheet: its header, then every row below it (blank rows are skipped).
    pub fn add_sheet(&mut self, sheet: &Sheet) {
        let blank = sheet.rows.iter().all(|r| r.iter().all(String::is_empty));
        if blank {
            return;
        }
        let Some(header) = header::find(sheet) else {
            self.problems.push(Problem::sheet(
                &sheet.file,
                &sheet.name,
                "no header we know: a websites sheet names 网站名称 and 首页网址 (or 网站地址), \
                 an accounts sheet 账号名称 and 平台 (or 微信号, 原始ID); the accepted labels \
                 are listed in docs/registry-import.md"
                    .to_string(),
            ));
            return;
        };
        let missing = header.missing();
        if !missing.is_empty() {
            for field in missing {
                self.problems.push(Problem {
                    column: Some((String::new(), label_of(field).to_string())),
                    ..Problem::sheet(
                        &sheet.file,
                        &sheet.name,
                        format!(
                            "the header (row {}) has no such column; accepted labels: {}",
                            header.last_row + 1,
                            labels(field)
                        ),
                    )
                });
            }
            return;
        }
        for index in header.last_row + 1..sheet.rows.len() {
            if sheet.rows[index].iter().all(String::is_empty) {
                continue;
            }
            let mut row = Row {
                sheet,
                header: &header,
                index,
                origin: Origin {
                    file: sheet.file.clone(),
                    sheet: sheet.name.clone(),
                    row: index + 1,
                },
                problems: Vec::new(),
            };
            match header.kind {
                SheetKind::Websites => self.website(&mut row),
                SheetKind::Accounts => self.account(&mut row),
            }
            self.problems.append(&mut row.problems);
        }
    }

    fn website(&mut self, row: &mut Row<'_>) {
        let name = row.required(Field::SiteName);
        let url = row
            .required(Field::SiteUrl)
            .and_then(|u| match homepage(&u) {
                Ok(url) => Some(url),
                Err(why) => {
                    row.bad(Field::SiteUrl, why);
                    None
                }
            });
        let unit = row.required(Field::Unit);
        row.check_email();
        let code = row.get(Field::SiteCode).to_string();
        if !code.is_empty() && !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            let why = if code.contains(['E', 'e', '.']) {
                format!(
                    "`{code}` is not a code: Excel shortened a number; format the column as text and type the code again"
                )
            } else {
                format!("`{code}` is not a code: letters and digits only")
            };
            row.bad(Field::SiteCode, why);
        }
        let given = row.given_id();
        let (Some(name), Some(url), Some(unit), Ok(given)) = (name, url, unit, given) else {
            return;
        };
        if !row.problems.is_empty() {
            return;
        }
        let code = (!code.is_empty()).then_some(code);
        let (id, field) = match (given, &code) {
            (Some(id), _) => (id, Field::Id),
            (None, Some(code)) => (code.to_lowercase(), Field::SiteCode),
            (None, None) => (format!("w{:03}", self.websites.len() + 1), Field::SiteName),
        };
        if let Some(first) = self.site_rows.get(&id) {
            let why = format!("website `{id}` is already on {first}");
            row.bad(field, why);
            return;
        }
        self.site_rows.insert(id.clone(), row.origin.clone());
        let unit = self.unit_id(&unit, row);
        let notes = note(row, Field::SiteKind);
        self.websites.push(Entry {
            value: Website {
                id,
                unit,
                name,
                url,
                code,
                columns: Vec::new(),
            },
            origin: row.origin.clone(),
            notes,
        });
    }

    fn account(&mut self, row: &mut Row<'_>) {
        let name = row.required(Field::AccountName);
        let platform = if row.header.column(Field::Platform).is_some() {
            row.required(Field::Platform).map(|p| platform_of(&p))
        } else {
            // A sheet without a platform column lists WeChat accounts (微信号, 原始ID).
            Some(Platform::Wechat)
        };
        let unit = row.required(Field::Unit);
        row.check_email();
        let appid = row.get(Field::AppId).to_string();
        if platform == Some(Platform::Wechat) && appid.is_empty() {
            row.bad(
                Field::AppId,
                "a WeChat account needs its AppID (开发者ID): its menus are read through the \
                 WeChat API"
                    .to_string(),
            );
        } else if !appid.is_empty() && !appid.chars().all(|c| c.is_ascii_alphanumeric()) {
            row.bad(Field::AppId, format!("`{appid}` is not an AppID"));
        }
        let given = row.given_id();
        let (Some(name), Some(platform), Some(unit), Ok(given)) = (name, platform, unit, given)
        else {
            return;
        };
        if !row.problems.is_empty() {
            return;
        }
        let handle = [Field::OriginalId, Field::WechatId]
            .into_iter()
            .map(|f| (f, row.get(f).to_lowercase()))
            .find(|(_, h)| is_id(h));
        let (id, field) = match (given, handle) {
            (Some(id), _) => (id, Field::Id),
            (None, Some((f, h))) => (h, f),
            (None, None) => (
                format!("a{:03}", self.accounts.len() + 1),
                Field::AccountName,
            ),
        };
        if let Some(first) = self.account_rows.get(&id) {
            let why = format!("account `{id}` is already on {first}");
            row.bad(field, why);
            return;
        }
        self.account_rows.insert(id.clone(), row.origin.clone());
        let unit = self.unit_id(&unit, row);
        let mut notes = note(row, Field::Platform);
        notes.extend(note(row, Field::WechatId));
        notes.extend(note(row, Field::OriginalId));
        let (appid, secret_env) = if platform == Platform::Wechat {
            let env = Some(row.get(Field::SecretEnv))
                .filter(|e| !e.is_empty())
                .map_or_else(|| secret_env(&id), str::to_string);
            (Some(appid), Some(env))
        } else {
            (None, None)
        };
        self.accounts.push(Entry {
            value: Account {
                id,
                unit,
                platform,
                name,
                appid,
                secret_env,
                menu_file: None,
            },
            origin: row.origin.clone(),
            notes,
        });
    }

    /// The id of the unit named `name`, created at its first row: `u001`, `u002` … in order
    /// of appearance.
    /// The id of the unit named `name`, created on its first row. The unit's email and
    /// contact come from the first of its rows that gives them.
    fn unit_id(&mut self, name: &str, row: &Row<'_>) -> String {
        let i = match self.unit_by_name.get(name) {
            Some(&i) => i,
            None => {
                let i = self.units.len();
                self.unit_by_name.insert(name.to_string(), i);
                self.units.push(Entry {
                    value: Unit {
                        id: format!("u{:03}", i + 1),
                        name: name.to_string(),
                        aliases: Vec::new(),
                        leaders: Vec::new(),
                        email: None,
                        contact: None,
                    },
                    origin: row.origin.clone(),
                    notes: Vec::new(),
                });
                i
            }
        };
        let unit = &mut self.units[i].value;
        let given = |field| Some(row.get(field).to_string()).filter(|v| !v.is_empty());
        unit.email = unit.email.take().or_else(|| given(Field::UnitEmail));
        unit.contact = unit.contact.take().or_else(|| given(Field::UnitContact));
        unit.id.clone()
    }
}

/// `label：value` for a field the registry keeps only as a comment, when the row has it.
fn note(row: &Row<'_>, field: Field) -> Vec<String> {
    let value = row.get(field);
    if value.is_empty() {
        return Vec::new();
    }
    vec![format!("{}：{value}", label_of(field))]
}

/// The environment variable an imported WeChat account's secret is read from.
pub fn secret_env(id: &str) -> String {
    format!("WX_SECRET_{}", id.to_uppercase().replace('-', "_"))
}

/// A homepage address as offices write it: `www.x.gov.cn` means `http://www.x.gov.cn/`.
fn homepage(text: &str) -> Result<Url, String> {
    let full = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    match Url::parse(&full) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        Ok(_) => Err(format!("`{text}` is not an http(s) address")),
        Err(e) => Err(format!("`{text}` is not an address: {e}")),
    }
}

/// The platform a sheet's 平台 names; anything not known is `other`.
pub fn platform_of(text: &str) -> Platform {
    let t = text.to_lowercase();
    if t.contains("视频号") {
        Platform::Other
    } else if t.contains("微信") || t.contains("公众号") || t == "wechat" {
        Platform::Wechat
    } else if t.contains("微博") || t == "weibo" {
        Platform::Weibo
    } else if t.contains("抖音") || t == "douyin" {
        Platform::Douyin
    } else if t.contains("头条") || t == "toutiao" {
        Platform::Toutiao
    } else {
        Platform::Other
    }
}

/// The name `registry export` writes for a platform (read back by [`platform_of`]).
pub fn platform_label(p: Platform) -> &'static str {
    match p {
        Platform::Wechat => "微信公众号",
        Platform::Weibo => "微博",
        Platform::Douyin => "抖音",
        Platform::Toutiao => "今日头条",
        Platform::Other => "其他",
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn labels(field: Field) -> String {
    header::LABELS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, l)| l.join(", "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_read_as_offices_write_them() {
        for (text, p) in [
            ("微信公众号", Platform::Wechat),
            ("微信", Platform::Wechat),
            ("新浪微博", Platform::Weibo),
            ("抖音", Platform::Douyin),
            ("今日头条", Platform::Toutiao),
            ("微信视频号", Platform::Other),
            ("快手", Platform::Other),
        ] {
            assert_eq!(platform_of(text), p, "{text}");
        }
        for p in [
            Platform::Wechat,
            Platform::Weibo,
            Platform::Douyin,
            Platform::Toutiao,
            Platform::Other,
        ] {
            assert_eq!(platform_of(platform_label(p)), p);
        }
    }

    #[test]
    fn a_bare_host_is_an_http_homepage() {
        assert_eq!(
            homepage("www.example.gov.cn").unwrap().as_str(),
            "http://www.example.gov.cn/"
        );
        assert!(homepage("ftp://x.gov.cn/").is_err());
        assert!(homepage("http://").is_err());
    }
}
