//! Starting a round: the preloaded registry or an upload, the window and the as-of date; a
//! rejected submission comes back with every problem and where it is.

use maud::{Markup, html};

use crate::access::Who;
use crate::input::Rejection;

/// What the form shows filled in.
pub struct Defaults {
    /// A registry and plan are preloaded (the simulated city in demo mode): its description.
    pub preloaded: Option<String>,
    pub window: String,
    pub as_of: String,
    pub allow_private: bool,
}

pub fn page(who: &Who, d: &Defaults, rejection: Option<&Rejection>) -> Markup {
    super::layout::page(
        "发起抽查",
        who,
        html! {
            h1 { "发起抽查" }
            @if let Some(r) = rejection { (problems(r)) }
            form.start method="post" action="/rounds" enctype="multipart/form-data" {
                (super::layout::csrf_field(who))
                fieldset {
                    legend { "名册与方案" }
                    @if let Some(p) = &d.preloaded {
                        label.choice { input type="radio" name="source" value="preloaded" checked; " 使用预置名册：" (p) }
                        label.choice { input #source-upload type="radio" name="source" value="upload"; " 上传名册与方案文件" }
                    } @else {
                        input type="hidden" name="source" value="upload";
                    }
                    label { "名册（registry.toml）" input #registry type="file" name="registry" accept=".toml,text/plain"; }
                    label { "方案（plan.toml，可不选，使用默认方案）" input #plan type="file" name="plan" accept=".toml,text/plain"; }
                }
                fieldset {
                    legend { "时段" }
                    label { "统计时段（起..止）" input #window name="window" value=(d.window) placeholder="2020-07-01..2020-09-30"; }
                    label { "检查时点" input #as_of name="as_of" type="date" value=(d.as_of); }
                    label.choice { input type="checkbox" name="allow_private" value="true" checked[d.allow_private]; " 允许检查内网和本机地址" }
                }
                button #start type="submit" { "开始抽查" }
            }
        },
    )
}

fn problems(r: &Rejection) -> Markup {
    html! {
        section.errors #errors role="alert" {
            h2 { "输入有误，未发起抽查" }
            @if !r.files.is_empty() {
                table {
                    thead { tr { th { "文件" } th.num { "行" } th.num { "列" } th { "键" } th { "问题" } } }
                    tbody {
                        @for p in &r.files {
                            tr { td { (p.file) } td.num { (p.line) } td.num { (p.column) } td { code { (p.key) } } td { (p.message) } }
                        }
                    }
                }
            }
            @for f in &r.fields { p { (f) } }
        }
    }
}
