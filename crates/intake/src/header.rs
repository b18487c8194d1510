//! The header of a sheet: which column holds which field, by a table of accepted labels.
//!
//! The 报送系统's exports and the sheets offices keep by hand name the same field in several
//! ways (首页网址, 网站地址, 网址 …), add marks (`*网站名称`, `网站名称（必填）`) and put a
//! title row or a two-row header with merged cells above the data. A label is compared after
//! [`normalize`]; the header is the first of a sheet's top rows that names the fields a
//! websites or an accounts sheet needs. The table is documented in `docs/registry-import.md`.

use std::collections::BTreeMap;

use crate::sheet::Sheet;

/// A field an import reads from a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The registry id to keep (written by `registry export`).
    Id,
    SiteName,
    SiteCode,
    SiteUrl,
    SiteKind,
    /// 主办单位: the unit that owns a site or an account.
    Unit,
    AccountName,
    Platform,
    WechatId,
    OriginalId,
    AppId,
    /// The environment variable of a WeChat account's secret (written by `registry export`).
    SecretEnv,
    /// The owning unit's email, where its 整改通知单 is sent (`[notify.email]`).
    UnitEmail,
    /// The owning unit's contact person, greeted in that mail.
    UnitContact,
}

/// Every accepted label per field, after [`normalize`]. The first label is the one
/// `registry export` writes.
pub const LABELS: &[(Field, &[&str])] = &[
    (Field::Id, &["编号", "id"]),
    (Field::SiteName, &["网站名称", "网站名"]),
    (Field::SiteCode, &["网站标识码", "标识码", "网站代码"]),
    (
        Field::SiteUrl,
        &[
            "首页网址",
            "网站地址",
            "网址",
            "首页地址",
            "网站首页网址",
            "网站网址",
            "url",
        ],
    ),
    (Field::SiteKind, &["网站类型", "网站类别"]),
    (
        Field::Unit,
        &["主办单位", "主办单位名称", "开办单位", "主办者", "单位名称"],
    ),
    (
        Field::AccountName,
        &[
            "账号名称",
            "帐号名称",
            "公众号名称",
            "新媒体名称",
            "政务新媒体名称",
            "账号名",
        ],
    ),
    (
        Field::Platform,
        &[
            "平台",
            "平台类型",
            "所属平台",
            "账号类型",
            "帐号类型",
            "新媒体类型",
        ],
    ),
    (Field::WechatId, &["微信号"]),
    (Field::OriginalId, &["原始id", "原始账号", "原始帐号"]),
    (
        Field::AppId,
        &["appid", "开发者id", "开发者id(appid)", "公众号appid"],
    ),
    (Field::SecretEnv, &["密钥环境变量", "secret_env"]),
    (
        Field::UnitEmail,
        &[
            "联系邮箱",
            "电子邮箱",
            "邮箱",
            "电子邮件",
            "单位邮箱",
            "主办单位邮箱",
            "主办单位联系邮箱",
            "email",
        ],
    ),
    (
        Field::UnitContact,
        &[
            "联系人",
            "负责人",
            "网站负责人",
            "账号负责人",
            "帐号负责人",
            "主办单位联系人",
        ],
    ),
];

/// What a sheet lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    Websites,
    Accounts,
}

impl SheetKind {
    /// The fields a sheet of this kind cannot do without.
    pub fn required(self) -> &'static [Field] {
        match self {
            SheetKind::Websites => &[Field::SiteName, Field::SiteUrl, Field::Unit],
            SheetKind::Accounts => &[Field::AccountName, Field::Unit],
        }
    }
}

/// A sheet's header: where it is and which column holds which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub kind: SheetKind,
    /// 0-based index of the header's last row; data starts below it.
    pub last_row: usize,
    /// Field → 0-based column (the first column with an accepted label wins).
    pub columns: BTreeMap<Field, usize>,
}

/// Rows searched for a header: titles, notes and a two-row header fit in them.
const SEARCHED_ROWS: usize = 20;

impl Header {
    /// The column of a field, if the sheet has it.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns.get(&field).copied()
    }

    /// Required fields the header lacks.
    pub fn missing(&self) -> Vec<Field> {
        self.kind
            .required()
            .iter()
            .copied()
            .filter(|f| !self.columns.contains_key(f))
            .collect()
    }
}

/// The header of `sheet`, if one of its top rows names a site (网站名称 and an address) or an
/// account (账号名称 with a platform or an id).
pub fn find(sheet: &Sheet) -> Option<Header> {
    let rows = sheet.rows.len().min(SEARCHED_ROWS);
    for top in 0..rows {
        // A second header row sits below cells merged down over both rows (after filling,
        // a known label repeated right under itself).
        let two_rows = top + 1 < sheet.rows.len()
            && (0..sheet.rows[top].len()).any(|c| {
                let label = sheet.cell(top, c);
                !label.is_empty() && sheet.cell(top + 1, c) == label && field_of(label).is_some()
            });
        let last_row = if two_rows { top + 1 } else { top };
        let columns = fields(sheet, top, last_row);
        let has = |f: Field| columns.contains_key(&f);
        let kind = if has(Field::SiteName) && has(Field::SiteUrl) {
            SheetKind::Websites
        } else if has(Field::AccountName)
            && (has(Field::Platform) || has(Field::WechatId) || has(Field::OriginalId))
        {
            SheetKind::Accounts
        } else {
            continue;
        };
        return Some(Header {
            kind,
            last_row,
            columns,
        });
    }
    None
}

/// The fields named by the header rows `top..=last`: per column the joined labels (主办单位
/// over 名称 is 主办单位名称), then the lowest, then the highest.
fn fields(sheet: &Sheet, top: usize, last: usize) -> BTreeMap<Field, usize> {
    let width = (top..=last).map(|r| sheet.rows[r].len()).max().unwrap_or(0);
    let mut columns = BTreeMap::new();
    for c in 0..width {
        let upper = sheet.cell(top, c);
        let lower = sheet.cell(last, c);
        let joined = if upper == lower {
            upper.to_string()
        } else {
            format!("{upper}{lower}")
        };
        let field = [joined.as_str(), lower, upper]
            .into_iter()
            .filter(|l| !l.is_empty())
            .find_map(field_of);
        if let Some(f) = field {
            columns.entry(f).or_insert(c);
        }
    }
    columns
}

/// The field an accepted label names.
pub fn field_of(label: &str) -> Option<Field> {
    let label = normalize(label);
    LABELS
        .iter()
        .find(|(_, labels)| labels.contains(&label.as_str()))
        .map(|(f, _)| *f)
}

/// The label an export writes for a field, and the one messages name.
pub fn label_of(field: Field) -> &'static str {
    LABELS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, labels)| labels[0])
        .expect("every field has labels")
}

/// A label as compared: no whitespace, no required-marks (`*`, `（必填）`), ASCII lower case,
/// full-width brackets and letters as their ASCII forms.
pub fn normalize(label: &str) -> String {
    let mut s: String = label
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            // Full-width ASCII (ＩＤ) to ASCII.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_lowercase();
    for mark in ["(必填)", "(选填)"] {
        if let Some(stripped) = s.strip_suffix(mark) {
            s = stripped.to_string();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_variants_name_the_same_field() {
        assert_eq!(field_of("*网站名称"), Some(Field::SiteName));
        assert_eq!(field_of("网站名称（必填）"), Some(Field::SiteName));
        assert_eq!(field_of(" 网站地址 "), Some(Field::SiteUrl));
        assert_eq!(field_of("原始ID"), Some(Field::OriginalId));
        assert_eq!(field_of("开发者ID（AppID）"), Some(Field::AppId));
        assert_eq!(field_of("ＡｐｐＩＤ"), Some(Field::AppId));
        assert_eq!(field_of("联系人"), Some(Field::UnitContact));
        assert_eq!(field_of("联系电话"), None);
    }

    #[test]
    fn every_label_is_written_as_it_is_compared() {
        for (_, labels) in LABELS {
            for l in *labels {
                assert_eq!(normalize(l), *l);
            }
        }
    }
}
