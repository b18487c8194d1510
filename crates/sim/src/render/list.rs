//! Column list pages in the three CMS families the scenario can choose.

use super::{Reply, esc, frame, pct, shell};
use crate::world::{self, Item, Variant, World};

/// Number of list pages for `n` items (an empty list still has its first page).
pub(crate) fn page_count(n: usize, per_page: usize) -> usize {
    n.div_ceil(per_page.max(1)).max(1)
}

fn nav(w: &World, c: &world::Column) -> String {
    let home = if c.host == w.sites[c.site].host {
        "/".to_string()
    } else {
        format!("{}/", c.base)
    };
    format!("<a href=\"{}\">首页</a>", esc(&home))
}

fn sponsor(w: &World, c: &world::Column) -> String {
    w.unit_full_name(&c.unit).to_string()
}

fn site_title(w: &World, c: &world::Column) -> String {
    w.hosts
        .get(&c.host)
        .and_then(|h| h.platform.clone())
        .unwrap_or_else(|| w.sites[c.site].name.clone())
}

fn crumb(c: &world::Column) -> String {
    format!(
        "<div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; <span>{}</span></div>",
        esc(&c.name)
    )
}

const NO_DATA: &str = "<div class=\"no-data\">暂无信息</div>";

/// TRS WCM's page writer, inlined the way its templates do. The links it would write are
/// invisible to a parser that does not run scripts.
const TRS_SCRIPT4: &str = r#"<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0){ document.write("<span>首页</span> <span>上一页</span> "); }
  else {
    document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">首页</a> ");
    if(nCurrIndex == 1){ document.write("<a href=\""+_sPageName+"."+_sPageExt+"\">上一页</a> "); }
    else { document.write("<a href=\""+_sPageName+"_"+(nCurrIndex-1)+"."+_sPageExt+"\">上一页</a> "); }
  }
  if(nCurrIndex == _nPageCount-1){ document.write("<span>下一页</span> <span>尾页</span>"); }
  else {
    document.write("<a href=\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\">下一页</a> ");
    document.write("<a href=\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\">尾页</a>");
  }
}
</script>
"#;

const TRS_SCRIPT6: &str = r#"<script type="text/javascript">
function createPageHTML(_sDivName, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nRecordCount){
  var html = "<span>共" + _nRecordCount + "条</span> ";
  if(_nPageCount <= 1){ document.getElementById(_sDivName).innerHTML = html; return; }
  for(var i = 0; i < _nPageCount; i++){
    var name = (i == 0) ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    html += (i == _nCurrIndex) ? "<span class=\"current\">" + (i+1) + "</span> " : "<a href=\"" + name + "\">" + (i+1) + "</a> ";
  }
  document.getElementById(_sDivName).innerHTML = html;
}
</script>
"#;

/// A TRS list page: `index.html` is page 0, `index_N.html` page N.
pub(crate) fn trs(w: &World, ci: usize, page: usize, rectified: bool) -> Reply {
    let c = &w.columns[ci];
    let items = c.visible(rectified);
    let pages = page_count(items.len(), c.per_page);
    if page >= pages {
        return Reply::not_found();
    }
    let mut list = String::from("<div class=\"list-box\">\n");
    list.push_str(&format!("<h2 class=\"list-title\">{}</h2>\n", esc(&c.name)));
    if items.is_empty() {
        list.push_str("<ul class=\"list\"></ul>\n");
        list.push_str(NO_DATA);
        list.push('\n');
    } else {
        list.push_str("<ul class=\"list\">\n");
        for it in items.iter().skip(page * c.per_page).take(c.per_page) {
            let rel = it.path.strip_prefix(&c.dir).unwrap_or(&it.path);
            list.push_str(&format!(
                "<li><a href=\"./{}\" title=\"{t}\" target=\"_blank\">{t}</a><span>{}</span></li>\n",
                esc(rel),
                it.date.format("%Y-%m-%d"),
                t = esc(&it.title)
            ));
        }
        list.push_str("</ul>\n");
    }
    let (script, call) = if c.variant == Variant::Js6 {
        (
            TRS_SCRIPT6,
            format!(
                "<div class=\"page\" id=\"page_div\"></div>\n<script type=\"text/javascript\">createPageHTML('page_div', {pages}, {page}, 'index', 'html', {});</script>",
                items.len()
            ),
        )
    } else {
        (
            TRS_SCRIPT4,
            format!(
                "<div class=\"page\"><script>createPageHTML({pages}, {page}, \"index\", \"html\");</script></div>"
            ),
        )
    };
    list.push_str(&call);
    list.push_str("\n</div>");
    let main = format!("{}\n{list}", crumb(c));
    let body = frame(&site_title(w, c), &nav(w, c), &main, &sponsor(w, c));
    let title = format!("{}_{}", c.name, site_title(w, c));
    Reply::html(c.charset, &shell(c.charset, &title, &body, script))
}

fn hanweb_record(it: &Item) -> String {
    format!(
        "<li><a href=\"{}\" title=\"{t}\" target=\"_blank\">{t}</a><span>{}</span></li>",
        esc(&it.path),
        it.date.format("%Y-%m-%d"),
        t = esc(&it.title)
    )
}

/// The data proxy's query string that a Hanweb page's `nextgroup` carries.
fn hanweb_params(w: &World, c: &world::Column) -> String {
    format!(
        "appid=1&webid=1&path=/&columnid={}&unitid={}&webname={}&permissiontype=0",
        c.cid,
        c.hanweb_unit,
        pct(&site_title(w, c))
    )
}

/// A Hanweb JCMS list page: the first records sit inside `<script type="text/xml">`,
/// where an HTML parser does not look; jpage.js asks the data proxy for the rest.
pub(crate) fn hanweb(w: &World, ci: usize, rectified: bool) -> Reply {
    let c = &w.columns[ci];
    let items = c.visible(rectified);
    let first = items.len().min(c.per_page);
    let mut store = format!(
        "<script type=\"text/xml\"><datastore>\n<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&{}\"></a>]]></nextgroup>\n<recordset>\n",
        hanweb_params(w, c)
    );
    for it in &items[..first] {
        store.push_str(&format!(
            "<record><![CDATA[\n{}\n]]></record>\n",
            hanweb_record(it)
        ));
    }
    store.push_str("</recordset>\n</datastore></script>\n");
    let empty = if items.is_empty() { NO_DATA } else { "" };
    let script = format!(
        "<script language=\"javascript\" src=\"/module/web/jpage/jpage.js\"></script>\n\
         <script type=\"text/javascript\">\n\
         $(document).ready(function(){{\n\
           $('#{cid}').jpage({{\n\
             perPage: {per}, totalRecord: {total}, groupSize: 3,\n\
             proxyUrl: '/module/web/jpage/dataproxy.jsp',\n\
             ajaxParam: {{ startrecord: {next}, endrecord: {end}, perpage: {per}, col: 1, appid: 1, webid: 1, path: '/', columnid: {cid}, sourceContentType: 1, unitid: {unit}, webname: '{webname}', permissiontype: 0 }},\n\
             barPosition: 'bottom'\n\
           }});\n\
         }});\n\
         </script>",
        cid = c.cid,
        per = c.per_page,
        total = items.len(),
        next = first + 1,
        end = first + 3 * c.per_page,
        unit = c.hanweb_unit,
        webname = esc(&site_title(w, c)),
    );
    let main = format!(
        "{}\n<div class=\"list-box\">\n<h2 class=\"list-title\">{}</h2>\n<div id=\"{}\" class=\"default_pgContainer\">\n{store}{empty}</div>\n{script}\n</div>",
        crumb(c),
        esc(&c.name),
        c.cid,
    );
    let body = frame(&site_title(w, c), &nav(w, c), &main, &sponsor(w, c));
    let title = format!("{}_{}", c.name, site_title(w, c));
    Reply::html(c.charset, &shell(c.charset, &title, &body, ""))
}

/// Hanweb's `dataproxy.jsp`: records `startrecord..=endrecord` (1-based) of a column,
/// at most three pages' worth per call as JCMS hands them out.
pub(crate) fn hanweb_proxy(
    w: &World,
    host: &str,
    params: &[(String, String)],
    rectified: bool,
) -> Reply {
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .and_then(|(_, v)| v.trim().parse::<usize>().ok())
    };
    let column = get("columnid").and_then(|cid| {
        w.hosts.get(host).and_then(|h| {
            h.columns.iter().copied().find(|&ci| {
                w.columns[ci].variant == Variant::Hanweb && w.columns[ci].cid as usize == cid
            })
        })
    });
    let Some(ci) = column else {
        return Reply::data(
            "text/xml;charset=UTF-8",
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><datastore><totalrecord>0</totalrecord><totalpage>0</totalpage><recordset></recordset></datastore>".into(),
        );
    };
    let c = &w.columns[ci];
    let items = c.visible(rectified);
    let per = get("perpage").filter(|p| *p > 0).unwrap_or(c.per_page);
    let start = get("startrecord").filter(|s| *s > 0).unwrap_or(1);
    // The numbers come from the client: saturate rather than overflow.
    let batch = c.per_page.max(1).saturating_mul(3);
    let end = get("endrecord")
        .unwrap_or_else(|| start.saturating_add(per.saturating_mul(3)) - 1)
        .max(start)
        .min(start.saturating_add(batch) - 1)
        .min(items.len());
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<datastore>\n<totalrecord>{}</totalrecord>\n<totalpage>{}</totalpage>\n<recordset>\n",
        items.len(),
        items.len().div_ceil(per)
    );
    if start <= end {
        for it in &items[start - 1..end] {
            xml.push_str(&format!(
                "<record><![CDATA[\n{}\n]]></record>\n",
                hanweb_record(it)
            ));
        }
    }
    xml.push_str("</recordset>\n</datastore>\n");
    Reply::data("text/xml;charset=UTF-8", xml)
}

/// The pager of plain lists and letters boards: `?page=N` links with 下一页.
pub(crate) fn plain_pager(total: usize, page: usize, pages: usize) -> String {
    let mut s = format!(
        "<div class=\"pagination\"><span>共{total}条记录</span> <span>第{page}/{pages}页</span> "
    );
    if page > 1 {
        s.push_str(&format!(
            "<a href=\"?page=1\">首页</a> <a href=\"?page={}\">上一页</a> ",
            page - 1
        ));
    } else {
        s.push_str("<span>首页</span> <span>上一页</span> ");
    }
    if page < pages {
        s.push_str(&format!(
            "<a href=\"?page={}\">下一页</a> <a href=\"?page={pages}\">尾页</a>",
            page + 1
        ));
    } else {
        s.push_str("<span>下一页</span> <span>尾页</span>");
    }
    s.push_str("</div>");
    s
}

/// A plain list page (`page` is 1-based): a `<ul>` or a `<table>`.
pub(crate) fn plain(w: &World, ci: usize, page: usize, rectified: bool) -> Reply {
    let c = &w.columns[ci];
    let items = c.visible(rectified);
    let pages = page_count(items.len(), c.per_page);
    if page == 0 || page > pages {
        return Reply::not_found();
    }
    let shown = items.iter().skip((page - 1) * c.per_page).take(c.per_page);
    let mut list = format!(
        "<div class=\"list-box\">\n<h2 class=\"list-title\">{}</h2>\n",
        esc(&c.name)
    );
    if items.is_empty() {
        list.push_str(if c.variant == Variant::Table {
            "<table class=\"list-table\"><tr><td>暂无信息</td></tr></table>\n"
        } else {
            "<ul class=\"news-list\"></ul>\n<div class=\"no-data\">暂无信息</div>\n"
        });
    } else if c.variant == Variant::Table {
        list.push_str(
            "<table class=\"list-table\">\n<tr><th>序号</th><th>标题</th><th>发布日期</th></tr>\n",
        );
        for (k, it) in shown.enumerate() {
            list.push_str(&format!(
                "<tr><td>{}</td><td><a href=\"{}\" title=\"{t}\" target=\"_blank\">{t}</a></td><td>{}</td></tr>\n",
                (page - 1) * c.per_page + k + 1,
                esc(&it.path),
                it.date.format("%Y/%m/%d"),
                t = esc(&it.title)
            ));
        }
        list.push_str("</table>\n");
    } else {
        list.push_str("<ul class=\"news-list\">\n");
        for it in shown {
            list.push_str(&format!(
                "<li><a href=\"{}\" title=\"{t}\" target=\"_blank\">{t}</a><span class=\"date\">{}</span></li>\n",
                esc(&it.path),
                it.date.format("%Y-%m-%d"),
                t = esc(&it.title)
            ));
        }
        list.push_str("</ul>\n");
    }
    list.push_str(&plain_pager(items.len(), page, pages));
    list.push_str("\n</div>");
    let main = format!("{}\n{list}", crumb(c));
    let body = frame(&site_title(w, c), &nav(w, c), &main, &sponsor(w, c));
    let title = format!("{}_{}", c.name, site_title(w, c));
    Reply::html(c.charset, &shell(c.charset, &title, &body, ""))
}

pub(crate) fn page_title(w: &World, c: &world::Column) -> String {
    site_title(w, c)
}
