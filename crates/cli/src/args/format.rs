//! `--format`: which report files a command writes.

use clap::Args;

use crate::output::Format;

/// `--format md,html,xlsx,docx,json`: which report files to write (all by default). An
/// unknown name is refused as bad input (exit code 2) with the valid ones listed.
#[derive(Args, Debug, Clone)]
pub struct FormatArgs {
    /// Report files to write, comma-separated.
    #[arg(
        long = "format",
        value_name = "FORMATS",
        value_enum,
        value_delimiter = ',',
        default_values_t = Format::ALL
    )]
    pub formats: Vec<Format>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Probe {
        #[command(flatten)]
        format: FormatArgs,
    }

    #[test]
    fn formats_default_to_all_and_parse_as_a_list() {
        let p = Probe::try_parse_from(["probe"]).unwrap();
        assert_eq!(p.format.formats, Format::ALL);
        let p = Probe::try_parse_from(["probe", "--format", "md,xlsx"]).unwrap();
        assert_eq!(p.format.formats, [Format::Md, Format::Xlsx]);
    }

    #[test]
    fn an_unknown_format_is_bad_input_listing_the_valid_ones() {
        let e = Probe::try_parse_from(["probe", "--format", "md,pdf"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let msg = e.to_string();
        assert!(msg.contains("pdf"), "{msg}");
        assert!(msg.contains("md, html, xlsx, docx, json"), "{msg}");
    }
}
