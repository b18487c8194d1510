//! How fast pages are checked with the built-in dictionary: MB/s of page text.
//!
//! `cargo bench -p spotcheck-wording` prints the median of several runs for plain text
//! ([`Matcher::find`]) and for HTML pages ([`Matcher::find_in_html`], which reads the visible
//! text first), on one thread. The target is at least 50 MB/s per core, so the rate is taken
//! over the thread's CPU time: on a shared machine wall time also counts other processes' work
//! (it is printed too).

use std::time::{Duration, Instant};

use spotcheck_wording::{Dictionary, Matcher};

/// Government-notice prose, correct but for the planted errors counted below.
const PARAGRAPHS: &[&str] = &[
    "为深入学习贯彻习近平新时代中国特色社会主义思想，全面贯彻党的二十大精神，坚决做到“两个维护”，根据《中华人民共和国政府信息公开条例》和国务院办公厅有关要求，现就做好2020年政府网站和政务新媒体检查工作通知如下。",
    "各县（市、区）人民政府，市政府各部门要切实增强“四个意识”、坚定“四个自信”，压实主体责任，按照“谁主管谁负责、谁运维谁负责”的原则，对本单位政府网站和政务新媒体开展全面自查，发现问题及时整改。",
    "市政务服务管理局负责全市政府网站和政务新媒体的日常监管工作，每季度开展一次抽查，抽查比例不低于30%，检查结果在市政府门户网站公开，并纳入年度绩效考核。Ｑ&Ａ：联系电话0798-8222222。",
    "会议强调，要坚持以人民为中心的发展思想，全面从严治党，锲而不舍落实中央八项规定精神，持续整治形式主义、官僚主义，以优良作风推动各项工作落到实处，再接再厉，为建设美丽景德镇作出新的更大贡献。",
    "本周末我市将迎来强降雨天气，各地要提前做好防汛抗旱各项准备，加强对病险水库、地质灾害隐患点的巡查，确保人民群众生命财产安全。市气象台将滚动发布预警信息，请广大市民密切关注。",
];

/// Planted: one veto and one typo in every this many paragraphs.
const PLANTED_EVERY: usize = 50;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// CPU time this thread has used so far.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill; the clock id is a constant the
    // platform defines.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the thread CPU clock is readable");
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}

fn time(name: &str, bytes: usize, runs: usize, mut f: impl FnMut() -> usize) {
    let (mut cpu, mut wall) = (Vec::new(), Vec::new());
    let mut found = 0;
    for _ in 0..runs {
        let (cpu_start, wall_start) = (thread_cpu_time(), Instant::now());
        found = std::hint::black_box(f());
        cpu.push(thread_cpu_time() - cpu_start);
        wall.push(wall_start.elapsed());
    }
    let (cpu, wall) = (median(cpu), median(wall));
    let mb = bytes as f64 / 1e6;
    println!(
        "{name:<34} {mb:>6.2} MB {found:>4} hits  CPU {:>7.2} ms = {:>6.1} MB/s per core  (wall {:>7.2} ms)",
        cpu.as_secs_f64() * 1000.0,
        mb / cpu.as_secs_f64(),
        wall.as_secs_f64() * 1000.0,
    );
}

fn main() {
    let start = Instant::now();
    let dictionary = Dictionary::builtin();
    let matcher = Matcher::new(&dictionary);
    println!(
        "built-in dictionary: {} entries, matcher built in {:.1} ms",
        dictionary.entries().len(),
        start.elapsed().as_secs_f64() * 1000.0
    );

    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>景德镇市人民政府</title>\
         <script>var nav = {home: '/', list: '/zwgk/'};</script><style>p{line-height:2}</style></head><body>",
    );
    for i in 0..12_000 {
        let mut paragraph = PARAGRAPHS[i % PARAGRAPHS.len()].to_string();
        if i % PLANTED_EVERY < PARAGRAPHS.len() {
            paragraph = paragraph
                .replacen("中华人民共和国", "中华人民共合国", 1)
                .replacen("再接再厉", "再接再励", 1);
        }
        text.push_str(&paragraph);
        text.push('\n');
        html.push_str(&format!(
            "<div class=\"item\"><a href=\"/zwgk/2020/t{i}.html\" title=\"通知\">第{i}条</a><p>{paragraph}</p><span class=date>2020-12-{:02}</span></div>\n",
            i % 28 + 1
        ));
    }
    html.push_str("</body></html>");

    time("find: page text", text.len(), 9, || {
        matcher.find(&text).len()
    });
    time("find_in_html: pages (HTML bytes)", html.len(), 9, || {
        matcher.find_in_html(&html).len()
    });
}
