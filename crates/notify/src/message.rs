//! What is said when a round completes, built once from the round and its report: the
//! summary the group robots and the webhook carry, the office's mail with the notice, and each
//! unit's mail with its 整改通知单.
//!
//! Every figure is the report's (the notice prints the same ones); nothing here depends on a
//! channel, so each channel only lays the message out as its platform wants.

use serde_json::{Value, json};
use spotcheck_core::indicator::Indicator;
use spotcheck_core::plan::notify::Notify;
use spotcheck_core::round::{Round, RoundKind};
use spotcheck_report::Report;
use spotcheck_report::notice::{document, percent, unit_notice, units_with_problems};
use spotcheck_report::render::{RenderError, to_docx, unit_docx, unit_docx_name};

/// The media type of a Word document.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The round in a few lines: for work groups (Markdown) and for systems (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The notice's title.
    pub title: String,
    /// 抽查率, 合格率 and the problems per indicator, in the Markdown the robots show.
    pub markdown: String,
    /// The webhook's body.
    pub json: Value,
}

/// A mail: to whom, about what, with which files.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<File>,
}

/// A file attached to a mail.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// One message of a round, before a channel sends it.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Mail(Mail),
    Summary(Summary),
}

/// A message and where it goes: the ledger's key.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub channel: &'static str,
    pub recipient: String,
    pub message: Message,
}

/// Every message the round's `[notify]` asks for. Units with a problem but no `email` in the
/// registry get no mail (the office's notice names them all).
pub fn messages(round: &Round, report: &Report) -> Result<Vec<Outgoing>, RenderError> {
    let notify = &round.plan.notify;
    let summary = summary(round, report, notify);
    let mut out = Vec::new();
    if let Some(email) = &notify.email {
        if !email.to.is_empty() {
            out.push(Outgoing {
                channel: "email",
                recipient: "office".into(),
                message: Message::Mail(office_mail(report, &summary, email.to.clone())?),
            });
        }
        if email.units {
            for name in units_with_problems(report) {
                let Some(unit) = round.registry.unit_by_label(&name) else {
                    continue;
                };
                let Some(address) = &unit.email else { continue };
                out.push(Outgoing {
                    channel: "email",
                    recipient: format!("unit:{}", unit.id),
                    message: Message::Mail(unit_mail(
                        report,
                        &name,
                        unit.contact.as_deref(),
                        address,
                    )?),
                });
            }
        }
    }
    for (channel, on) in [
        ("dingtalk", notify.dingtalk.is_some()),
        ("wecom", notify.wecom.is_some()),
        ("feishu", notify.feishu.is_some()),
    ] {
        if on {
            out.push(Outgoing {
                channel,
                recipient: "group".into(),
                message: Message::Summary(summary.clone()),
            });
        }
    }
    if notify.webhook.is_some() {
        out.push(Outgoing {
            channel: "webhook",
            recipient: "endpoint".into(),
            message: Message::Summary(summary),
        });
    }
    Ok(out)
}

/// The office's mail: the summary as text, the notice as Word.
fn office_mail(report: &Report, summary: &Summary, to: Vec<String>) -> Result<Mail, RenderError> {
    Ok(Mail {
        to,
        subject: summary.title.clone(),
        text: format!(
            "{}\n\n通报全文见附件。",
            summary.markdown.replace("### ", "").trim_end()
        ),
        attachments: vec![File {
            name: format!("{}.docx", summary.title),
            media_type: DOCX,
            bytes: to_docx(report)?,
        }],
    })
}

/// A unit's mail: its 整改通知单 as Word.
fn unit_mail(
    report: &Report,
    unit: &str,
    contact: Option<&str>,
    address: &str,
) -> Result<Mail, RenderError> {
    let notice = unit_notice(report, unit);
    Ok(Mail {
        to: vec![address.to_string()],
        subject: notice.title.clone(),
        text: format!(
            "{}：\n\n附件是{}，请查收，逐项对照整改。整改情况将在复查中逐项核实。\n\n{}",
            contact.unwrap_or(unit),
            notice.title,
            report.name,
        ),
        attachments: vec![File {
            name: unit_docx_name(unit),
            media_type: DOCX,
            bytes: unit_docx(report, unit)?,
        }],
    })
}

/// Problems (veto and deduct findings) of one indicator.
struct Tally {
    indicator: Indicator,
    findings: usize,
    units: Vec<String>,
}

/// The problems per indicator, in the notice's order.
fn tallies(report: &Report) -> Vec<Tally> {
    let mut out: Vec<Tally> = Vec::new();
    for f in report.findings.iter().filter(|f| f.severity.is_problem()) {
        let i = match out.iter().position(|t| t.indicator == f.indicator) {
            Some(i) => i,
            None => {
                out.push(Tally {
                    indicator: f.indicator,
                    findings: 0,
                    units: Vec::new(),
                });
                out.len() - 1
            }
        };
        let t = &mut out[i];
        t.findings += 1;
        if !f.unit.is_empty() && !t.units.contains(&f.unit) {
            t.units.push(f.unit.clone());
        }
    }
    out.sort_by_key(|t| Indicator::ALL.iter().position(|i| *i == t.indicator));
    out
}

/// The summary of a round: what the robots show and the webhook carries.
pub fn summary(round: &Round, report: &Report, notify: &Notify) -> Summary {
    let title = document(report).title;
    let s = &report.summary;
    let tallies = tallies(report);
    let links = notify.console_url.as_ref().map(|base| {
        let at = |path: String| base.join(&path).map(|u| u.to_string()).unwrap_or(path);
        json!({
            "round": at(format!("rounds/{}", round.id)),
            "notice": at(format!("api/rounds/{}/report.docx", round.id)),
            "report": at(format!("api/rounds/{}/report.json", round.id)),
        })
    });

    let mut md = format!("### {title}\n");
    md += &format!(
        "- 抽查率：{}，合格率：{}\n- 网站：抽查{}个，合格{}个；政务新媒体：抽查{}个，合格{}个\n",
        percent(s.sample_rate),
        percent(s.pass_rate),
        s.websites.checked,
        s.websites.passed,
        s.accounts.checked,
        s.accounts.passed,
    );
    if tallies.is_empty() {
        md += "- 未发现问题\n";
    } else {
        md += &format!(
            "- 发现问题{}个，涉及{}家单位：\n",
            tallies.iter().map(|t| t.findings).sum::<usize>(),
            units_with_problems(report).len()
        );
        for t in &tallies {
            md += &format!(
                "  - {}：{}个（{}家单位）\n",
                t.indicator.title(),
                t.findings,
                t.units.len()
            );
        }
    }
    if let Some(r) = &report.rectification {
        md += &format!(
            "- 复查：{}家单位已全部整改，{}家单位仍有问题\n",
            r.rectified.len(),
            r.not_rectified.len()
        );
    }
    if let Some(url) = links.as_ref().and_then(|l| l["round"].as_str()) {
        md += &format!("\n[查看轮次详情]({url})\n");
    }

    let json = json!({
        "event": "round.complete",
        "round": {
            "id": round.id.0,
            "kind": match round.kind { RoundKind::Spot => "spot", RoundKind::Recheck => "recheck" },
            "parent": round.parent.as_ref().map(|p| p.0.clone()),
            "as_of": report.round.as_of,
            "window": { "from": report.round.window.from, "to": report.round.window.to },
        },
        "region": report.region,
        "name": report.name,
        "title": title,
        "figures": {
            "sample_rate": s.sample_rate,
            "pass_rate": s.pass_rate,
            "websites": s.websites,
            "accounts": s.accounts,
            "letters": s.letters,
            "jobs": s.jobs,
        },
        "problems": tallies.iter().map(|t| json!({
            "indicator": t.indicator.code(),
            "title": t.indicator.title(),
            "findings": t.findings,
            "units": t.units,
        })).collect::<Vec<_>>(),
        "units_with_problems": units_with_problems(report),
        "rectification": report.rectification.as_ref().map(|r| json!({
            "rectified": r.rectified,
            "not_rectified": r.not_rectified,
        })),
        "links": links,
    });
    Summary {
        title,
        markdown: md,
        json,
    }
}
