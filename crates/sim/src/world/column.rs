//! A column as generated: where its list lives, which CMS it imitates, and its items.

use chrono::{Datelike, Days, NaiveDate};

use super::{Board, PageRef, World, active};
use crate::generate::{self, TitleKind};
use crate::scenario::{Charset, Cms, ColumnFault, ColumnKind};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Variant {
    Js4,
    Js6,
    Ul,
    Table,
    Hanweb,
}

pub(crate) struct Column {
    pub site: usize,
    pub name: String,
    pub kind: ColumnKind,
    pub unit: String,
    pub host: String,
    pub base: String,
    /// The list's directory, ending in `/`.
    pub dir: String,
    /// The column's URL as registered.
    pub url: String,
    pub cms: Cms,
    pub variant: Variant,
    pub charset: Charset,
    pub per_page: usize,
    /// Newest first.
    pub items: Vec<Item>,
    pub fault: Option<ColumnFault>,
    pub persist: bool,
    /// For a stale fault: items after this date are not published yet.
    pub hide_after: Option<NaiveDate>,
    /// Hanweb column id.
    pub cid: u32,
    /// Hanweb unit id.
    pub hanweb_unit: u32,
    pub board: Option<Board>,
}

impl Column {
    pub fn fault_active(&self, rectified: bool) -> Option<ColumnFault> {
        self.fault.filter(|_| active(self.persist, rectified))
    }

    /// The items published now, newest first.
    pub fn visible(&self, rectified: bool) -> &[Item] {
        match self.fault_active(rectified) {
            Some(ColumnFault::Blank) => &[],
            Some(ColumnFault::Stale) => {
                let cut = self.hide_after.unwrap_or(NaiveDate::MAX);
                let skip = self.items.iter().take_while(|i| i.date > cut).count();
                &self.items[skip..]
            }
            None => &self.items,
        }
    }

    pub fn is_visible(&self, item: usize, rectified: bool) -> bool {
        let shown = self.visible(rectified).len();
        item >= self.items.len() - shown && item < self.items.len()
    }

    pub fn item_url(&self, item: &Item) -> String {
        format!("{}{}", self.base, item.path)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub title: String,
    pub date: NaiveDate,
    /// Absolute path on the column's host.
    pub path: String,
}

impl World {
    pub(super) fn build_columns(&mut self) {
        let (from, to) = self.scenario.meta.window;
        let as_of = self.scenario.meta.as_of;
        let specs = self.scenario.sites.clone();
        let mut ci = 0usize;
        for (si, s) in specs.iter().enumerate() {
            for c in &s.columns {
                let unit = c.unit.clone().unwrap_or_else(|| s.unit.clone());
                let unit_name = self.unit_name(&unit).to_string();
                let host = c.host.clone().unwrap_or_else(|| s.host.clone());
                // Columns on the site's own host are reached like the site (a dead site's
                // columns are dead too); platform hosts are always on the main listener.
                let base = if host == s.host {
                    self.sites[si].base.clone()
                } else {
                    self.base(&host)
                };
                let cid = 4000 + ci as u32 * 3;
                let variant = match (c.cms, c.variant.as_deref()) {
                    (Cms::Hanweb, _) => Variant::Hanweb,
                    (Cms::Trs, Some("js6")) => Variant::Js6,
                    (Cms::Trs, Some(_)) => Variant::Js4,
                    (Cms::Trs, None) if ci % 2 == 1 => Variant::Js6,
                    (Cms::Trs, None) => Variant::Js4,
                    (Cms::Plain, Some("table")) => Variant::Table,
                    (Cms::Plain, Some(_)) => Variant::Ul,
                    (Cms::Plain, None) if ci % 2 == 1 && c.kind != ColumnKind::Letters => {
                        Variant::Table
                    }
                    (Cms::Plain, None) => Variant::Ul,
                };
                let dir = match (c.cms, &c.path) {
                    (Cms::Hanweb, _) => format!("/col/col{cid}/"),
                    (_, Some(p)) => p.clone(),
                    (_, None) => format!("/lm{ci}/"),
                };
                let url = match c.cms {
                    Cms::Hanweb => format!("{base}{dir}index.html"),
                    _ => format!("{base}{dir}"),
                };
                let per_page = c
                    .per_page
                    .unwrap_or(if c.cms == Cms::Hanweb { 15 } else { 20 })
                    as usize;

                let mut dates =
                    generate::spread(c.before, from - Days::new(365), from - Days::new(1));
                dates.extend(generate::spread(c.in_window, from, to));
                if c.after > 0 {
                    dates.extend(generate::spread_to_end(
                        c.after,
                        to + Days::new(1),
                        as_of - Days::new(u64::from(c.newest)),
                    ));
                }
                let tk = match c.kind {
                    ColumnKind::Disclosure => TitleKind::Disclosure,
                    ColumnKind::News => TitleKind::News,
                    ColumnKind::Interview => TitleKind::Interview,
                    ColumnKind::Policy => TitleKind::Policy,
                    _ => TitleKind::Notice,
                };
                let mut items = Vec::new();
                if c.kind != ColumnKind::Letters {
                    let salt = generate::hash(&[self.seed(), 2, ci as u64]);
                    let titles = generate::titles(tk, &unit_name, salt, dates.len());
                    let id0 = 1_000_000 + generate::hash(&[salt]) % 8_000_000;
                    for (k, (date, title)) in dates.iter().zip(titles).enumerate() {
                        let id = id0 + k as u64;
                        let path = match c.cms {
                            Cms::Trs => format!(
                                "{dir}{}/t{}_{id}.html",
                                date.format("%Y%m"),
                                date.format("%Y%m%d")
                            ),
                            Cms::Hanweb => format!(
                                "/art/{}/{}/{}/art_{cid}_{}.html",
                                date.year(),
                                date.month(),
                                date.day(),
                                id % 1_000_000
                            ),
                            Cms::Plain => format!("{dir}content_{id}.html"),
                        };
                        items.push(Item {
                            title,
                            date: *date,
                            path,
                        });
                    }
                    items.reverse();
                    for (k, it) in items.iter().enumerate() {
                        self.pages.insert(
                            (host.clone(), it.path.clone()),
                            PageRef::ColumnItem {
                                column: ci,
                                item: k,
                            },
                        );
                    }
                }
                let board = (c.kind == ColumnKind::Letters).then(|| self.board(ci, c, &dir));
                if let Some(b) = &board {
                    for (k, l) in b.letters.iter().enumerate() {
                        self.pages.insert(
                            (host.clone(), l.path.clone()),
                            PageRef::Letter {
                                column: ci,
                                letter: k,
                            },
                        );
                    }
                }
                let hide_after = (c.fault == Some(ColumnFault::Stale)).then(|| {
                    as_of
                        - Days::new(u64::from(
                            c.stale_days.unwrap_or(c.kind.default_stale_days()),
                        ))
                });
                let charset = c.charset.unwrap_or(s.charset);
                self.hosts.entry(host.clone()).or_default().columns.push(ci);
                self.sites[si].columns.push(ci);
                self.columns.push(Column {
                    site: si,
                    name: c.name.clone(),
                    kind: c.kind,
                    unit,
                    host,
                    base,
                    dir,
                    url,
                    cms: c.cms,
                    variant,
                    charset,
                    per_page,
                    items,
                    fault: c.fault,
                    persist: c.persist,
                    hide_after,
                    cid,
                    hanweb_unit: 50_000 + generate::hash_str(&c.name) as u32 % 10_000,
                    board,
                });
                ci += 1;
            }
        }
    }
}
