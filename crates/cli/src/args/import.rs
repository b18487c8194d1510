//! `spotcheck registry import`: the sheets to read and the registry to write.

use std::path::PathBuf;

use clap::Args;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Workbook or CSV file of websites (网站名称, 网站标识码, 首页网址, 主办单位 …); every
    /// sheet with a header it knows is read, accounts too.
    pub file: PathBuf,
    /// A second file, of accounts (账号名称, 平台, 主办单位, 微信号, 原始ID, AppID …).
    #[arg(long)]
    pub accounts: Option<PathBuf>,
    /// The registry file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The region printed in reports (`[meta] region`), e.g. 景德镇市.
    #[arg(long)]
    pub region: String,
    /// The registry's name (`[meta] name`) [default: REGION政府网站与政务新媒体].
    #[arg(long)]
    pub name: Option<String>,
    /// Write the registry without the rows it cannot use (they are still listed) instead of
    /// exiting 2.
    #[arg(long)]
    pub skip_bad: bool,
}
