//! The registry from the sheets an office already has, and back.
//!
//! An office's list of websites and accounts comes out of the national 政府网站信息报送系统
//! and 政务新媒体报送系统 as workbooks (xlsx, old xls) or CSV files (often GBK). This crate
//! reads them ([`sheet`]), finds each sheet's header by a table of accepted labels
//! ([`header`]), maps every row to a registry entry or to a problem naming its sheet, row and
//! column ([`rows`]), and writes a registry that the registry's own loader accepts, with a
//! comment naming the source row of every entry ([`toml_out`]). [`export`] writes a registry
//! back as a workbook of the same shape, so that an office can keep its list in Excel.

pub mod export;
pub mod header;
pub mod import;
pub mod problem;
pub mod rows;
pub mod sheet;
pub mod toml_out;

mod csv_file;
mod workbook;

pub use export::export_xlsx;
pub use import::{Imported, Options, default_name, import};
pub use problem::{Origin, Problem};

/// A failure that stops an import or export as a whole (a file that cannot be read or
/// written); problems with single rows are [`Problem`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{file}: cannot read it: {reason}")]
    Read { file: String, reason: String },
    #[error("{file}: `.{ext}` files are not read; give an .xlsx, .xls or .csv file")]
    Format { file: String, ext: String },
    /// The registry check refused the import as a whole (not one entry of it).
    #[error("the imported registry is refused:\n{0}")]
    Refused(String),
    #[error("{file}: cannot write the workbook: {reason}")]
    Write { file: String, reason: String },
}
