//! The letters board (留言 / 咨询投诉): a paginated table whose header row names the
//! columns, and one detail page per letter.

use super::list::{page_count, page_title, plain_pager};
use super::{Reply, esc, frame, shell};
use crate::scenario::LetterField;
use crate::world::World;

/// Page `page` (1-based) of a letters board.
pub(crate) fn board(w: &World, ci: usize, page: usize) -> Reply {
    let c = &w.columns[ci];
    let Some(b) = &c.board else {
        return Reply::not_found();
    };
    let pages = page_count(b.letters.len(), c.per_page);
    if page == 0 || page > pages {
        return Reply::not_found();
    }
    let label = |f: LetterField| match f {
        LetterField::Title => &b.labels.title,
        LetterField::Unit => &b.labels.unit,
        LetterField::Received => &b.labels.received,
        LetterField::Status => &b.labels.status,
        LetterField::Replied => &b.labels.replied,
    };
    let mut table =
        String::from("<table class=\"letter-list\" width=\"100%\">\n<tr class=\"title\">");
    for f in &b.order {
        table.push_str(&format!("<th>{}</th>", esc(label(*f))));
    }
    table.push_str("</tr>\n");
    for l in b
        .letters
        .iter()
        .skip((page - 1) * c.per_page)
        .take(c.per_page)
    {
        table.push_str("<tr>");
        for f in &b.order {
            let cell = match f {
                LetterField::Title => format!(
                    "<a href=\"{}\" title=\"{t}\" target=\"_blank\">{t}</a>",
                    esc(&l.path),
                    t = esc(&l.title)
                ),
                LetterField::Unit => esc(&l.label),
                LetterField::Received => l.received.format("%Y-%m-%d").to_string(),
                LetterField::Status => {
                    let class = if l.answered.is_some() {
                        "done"
                    } else {
                        "doing"
                    };
                    format!("<span class=\"{class}\">{}</span>", esc(&l.status))
                }
                LetterField::Replied => l
                    .answered
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            };
            table.push_str(&format!("<td>{cell}</td>"));
        }
        table.push_str("</tr>\n");
    }
    table.push_str("</table>\n");
    let main = format!(
        "<div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; <span>{name}</span></div>\n\
         <div class=\"letter-box\"><h2>{name}</h2>\n<div class=\"write\"><a href=\"/\">我要写信</a></div>\n{table}{}\n</div>",
        plain_pager(b.letters.len(), page, pages),
        name = esc(&c.name),
    );
    let title = page_title(w, c);
    let body = frame(
        &title,
        "<a href=\"/\">首页</a>",
        &main,
        w.unit_full_name(&c.unit),
    );
    Reply::html(
        c.charset,
        &shell(c.charset, &format!("{}_{title}", c.name), &body, ""),
    )
}

/// One letter with its answer.
pub(crate) fn detail(w: &World, ci: usize, li: usize) -> Reply {
    let c = &w.columns[ci];
    let Some(l) = c.board.as_ref().and_then(|b| b.letters.get(li)) else {
        return Reply::not_found();
    };
    let labels = c.board.as_ref().map(|b| &b.labels);
    let (unit_l, recv_l, status_l, reply_l) = match labels {
        Some(x) => (
            x.unit.as_str(),
            x.received.as_str(),
            x.status.as_str(),
            x.replied.as_str(),
        ),
        None => ("办理单位", "留言时间", "办理状态", "回复时间"),
    };
    let answer = match l.answered {
        Some(d) => format!(
            "<tr><th>{}</th><td>{}</td></tr>\n<tr><th>回复内容</th><td><p>您好！您反映的问题已收悉，经我单位核实，现答复如下：相关工作正在按规定办理，感谢您对我们工作的关心和支持。</p></td></tr>",
            esc(reply_l),
            d.format("%Y-%m-%d")
        ),
        None => String::new(),
    };
    let main = format!(
        "<div class=\"letter-detail\"><h1>{}</h1>\n<table>\n\
         <tr><th>来信人</th><td>{}</td></tr>\n\
         <tr><th>{}</th><td>{}</td></tr>\n\
         <tr><th>{}</th><td>{}</td></tr>\n\
         <tr><th>{}</th><td>{}</td></tr>\n\
         <tr><th>留言内容</th><td><p>尊敬的领导：您好！我想{}，望予以答复，谢谢！</p></td></tr>\n{answer}\n</table></div>",
        esc(&l.title),
        esc(&l.sender),
        esc(unit_l),
        esc(&l.label),
        esc(recv_l),
        l.received.format("%Y-%m-%d"),
        esc(status_l),
        esc(&l.status),
        esc(&l.title),
    );
    let title = page_title(w, c);
    let body = frame(
        &title,
        "<a href=\"/\">首页</a>",
        &main,
        w.unit_full_name(&c.unit),
    );
    Reply::html(c.charset, &shell(c.charset, &l.title, &body, ""))
}
