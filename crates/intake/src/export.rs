//! A registry written back as a workbook shaped like the 报送系统's: a sheet of websites and
//! one of accounts, headed by the labels an import reads, so that an office can keep its
//! list in Excel and import it again. Columns (栏目), selectors and `[network]` stay in
//! the registry: the sheets have no place for them.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use spotcheck_core::Registry;

use crate::IntakeError;
use crate::header::{Field, label_of};
use crate::rows::platform_label;

/// The sheets' names.
pub const WEBSITES_SHEET: &str = "网站";
pub const ACCOUNTS_SHEET: &str = "政务新媒体";

const WEBSITE_FIELDS: [Field; 7] = [
    Field::SiteName,
    Field::SiteCode,
    Field::SiteUrl,
    Field::Unit,
    Field::UnitContact,
    Field::UnitEmail,
    Field::Id,
];
const ACCOUNT_FIELDS: [Field; 8] = [
    Field::AccountName,
    Field::Platform,
    Field::Unit,
    Field::UnitContact,
    Field::UnitEmail,
    Field::AppId,
    Field::SecretEnv,
    Field::Id,
];

/// Writes `registry` as a workbook at `path`.
pub fn export_xlsx(registry: &Registry, path: &Path) -> Result<(), IntakeError> {
    let failed = |e: XlsxError| IntakeError::Write {
        file: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut book = Workbook::new();
    let sites = book.add_worksheet();
    sites.set_name(WEBSITES_SHEET).map_err(failed)?;
    let rows = registry.websites.iter().map(|w| {
        [
            w.name.clone(),
            w.code.clone().unwrap_or_default(),
            w.url.to_string(),
            registry.unit_name(&w.unit).to_string(),
            contact(registry, &w.unit),
            email(registry, &w.unit),
            w.id.clone(),
        ]
    });
    fill(sites, &WEBSITE_FIELDS, rows).map_err(failed)?;
    let accounts = book.add_worksheet();
    accounts.set_name(ACCOUNTS_SHEET).map_err(failed)?;
    let rows = registry.accounts.iter().map(|a| {
        [
            a.name.clone(),
            platform_label(a.platform).to_string(),
            registry.unit_name(&a.unit).to_string(),
            contact(registry, &a.unit),
            email(registry, &a.unit),
            a.appid.clone().unwrap_or_default(),
            a.secret_env.clone().unwrap_or_default(),
            a.id.clone(),
        ]
    });
    fill(accounts, &ACCOUNT_FIELDS, rows).map_err(failed)?;
    book.save(path).map_err(failed)
}

/// The contact of the unit with id `unit`, or an empty cell.
fn contact(registry: &Registry, unit: &str) -> String {
    let u = registry.unit(unit);
    u.and_then(|u| u.contact.clone()).unwrap_or_default()
}

/// The email of the unit with id `unit`, or an empty cell.
fn email(registry: &Registry, unit: &str) -> String {
    let u = registry.unit(unit);
    u.and_then(|u| u.email.clone()).unwrap_or_default()
}

/// A bold header of `fields` and one row per entry, every cell text (codes and AppIDs must
/// not become numbers).
fn fill<const N: usize>(
    sheet: &mut Worksheet,
    fields: &[Field; N],
    rows: impl Iterator<Item = [String; N]>,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, f) in fields.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, label_of(*f), &bold)?;
        // Chinese glyphs are about twice as wide as autofit measures: widths set by hand.
        sheet.set_column_width(c, if *f == Field::Id { 14 } else { 32 })?;
        sheet.set_column_format(c, &text)?;
    }
    for (r, row) in rows.enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string((r + 1) as u32, c as u16, value)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}
