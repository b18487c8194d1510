//! Charts drawn on the server as inline SVG: no script library, nothing fetched, and they print.

use maud::{Markup, html};

/// Horizontal bars, one per label, longest first as given; each bar links where `href` says.
pub fn bars(title: &str, rows: &[(String, u32, Option<String>)]) -> Markup {
    const ROW: u32 = 26;
    const LABEL: u32 = 190;
    const WIDTH: u32 = 560;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let height = ROW * rows.len() as u32 + 8;
    html! {
        figure.chart {
            figcaption { (title) }
            @if rows.is_empty() {
                p.muted { "无" }
            } @else {
                svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {height}"))
                    role="img" aria-label=(title) {
                    @for (i, (label, n, href)) in rows.iter().enumerate() {
                        @let y = 4 + i as u32 * ROW;
                        @let w = (WIDTH - LABEL - 50) * n / max;
                        g {
                            text x=(LABEL - 8) y=(y + 17) text-anchor="end" class="label" { (shorten(label, 13)) }
                            @if let Some(h) = href {
                                a href=(h) { rect x=(LABEL) y=(y + 3) width=(w.max(2)) height="18" rx="3" class="bar" {} }
                            } @else {
                                rect x=(LABEL) y=(y + 3) width=(w.max(2)) height="18" rx="3" class="bar" {}
                            }
                            text x=(LABEL + w.max(2) + 6) y=(y + 17) class="value" { (n) }
                        }
                    }
                }
            }
        }
    }
}

/// One series over the rounds: points joined by a line, each labelled with its value.
pub struct Series<'a> {
    pub name: &'a str,
    pub class: &'a str,
    /// Values in 0..=max.
    pub values: Vec<f64>,
    /// How a value is printed at its point.
    pub format: fn(f64) -> String,
}

/// A line chart over labelled points (rounds, oldest first); every series on its own scale
/// from 0 to `max`.
pub fn lines(title: &str, labels: &[String], series: &[(Series<'_>, f64)]) -> Markup {
    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 260.0;
    const LEFT: f64 = 40.0;
    const BOTTOM: f64 = 40.0;
    const TOP: f64 = 20.0;
    let n = labels.len().max(1);
    let step = if n > 1 {
        (WIDTH - LEFT * 2.0) / (n - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| {
        if n > 1 {
            LEFT + step * i as f64
        } else {
            WIDTH / 2.0
        }
    };
    let y = |v: f64, max: f64| {
        let max = if max > 0.0 { max } else { 1.0 };
        TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v / max).clamp(0.0, 1.0))
    };
    html! {
        figure.chart.wide {
            figcaption { (title) }
            @if labels.is_empty() {
                p.muted { "还没有已完成的轮次" }
            } @else {
                svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(title) {
                    line x1=(LEFT) y1=(HEIGHT - BOTTOM) x2=(WIDTH - LEFT / 2.0) y2=(HEIGHT - BOTTOM) class="axis" {}
                    @for (i, l) in labels.iter().enumerate() {
                        text x=(x(i)) y=(HEIGHT - BOTTOM + 18.0) text-anchor="middle" class="label" { (l) }
                    }
                    @for (s, max) in series {
                        @let points: Vec<String> = s.values.iter().enumerate()
                            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v, *max))).collect();
                        polyline points=(points.join(" ")) class=(format!("line {}", s.class)) {}
                        @for (i, v) in s.values.iter().enumerate() {
                            circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v, *max))) r="4" class=(format!("dot {}", s.class)) {}
                            text x=(format!("{:.1}", x(i))) y=(format!("{:.1}", y(*v, *max) - 8.0)) text-anchor="middle" class=(format!("value {}", s.class)) { ((s.format)(*v)) }
                        }
                    }
                }
                p.legend {
                    @for (s, _) in series { span class=(format!("key {}", s.class)) { (s.name) } " " }
                }
            }
        }
    }
}

/// A label cut to `max` characters with an ellipsis (the full text is in the tables).
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}
