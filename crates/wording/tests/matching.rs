//! Finding wrong phrases in pages: planted errors, correct pages, hidden text, GBK, folding.

use spotcheck_wording::{Dictionary, Hit, Matcher, Severity};

fn builtin() -> Matcher {
    Matcher::new(&Dictionary::builtin())
}

fn custom(toml: &str) -> Matcher {
    Matcher::new(&Dictionary::parse(toml, "test.toml").expect("test dictionary parses"))
}

fn summary(hits: &[Hit]) -> Vec<(&str, &str, Severity)> {
    hits.iter()
        .map(|h| (h.wrong.as_str(), h.right.as_str(), h.severity))
        .collect()
}

const PAGE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>景德镇市人民政府</title>
<style>.x{color:red}</style></head><body>
<div class="nav"><a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>
<div class="article"><h1>关于深入学习宣传贯彻党的二十大精神的通知</h1>
<p>各县（市、区）人民政府：</p>
<p>为深入学习贯彻习近平新时代中国特色社会主义思想，坚决做到两个唯护，现将有关事项通知如下。</p>
<p>一、各单位要再接再励，扎实推进<b>中华人民共合国</b>宪法宣传工作，按装宣传栏。</p>
<p>二、联系电话：0798-8888888。</p></div></body></html>"#;

#[test]
fn planted_errors_are_found_exactly_with_context() {
    let hits = builtin().find_in_html(PAGE);
    assert_eq!(
        summary(&hits),
        vec![
            ("两个唯护", "两个维护", Severity::Veto),
            ("再接再励", "再接再厉", Severity::Deduct),
            ("中华人民共合国", "中华人民共和国", Severity::Veto),
            ("按装", "安装", Severity::Deduct),
        ]
    );
    for hit in &hits {
        assert_eq!(&PAGE[hit.start..hit.end], hit.wrong, "offsets of {hit:?}");
    }
    // Twenty characters on each side; line breaks between blocks read as one space.
    assert_eq!(
        hits[0].context,
        "近平新时代中国特色社会主义思想，坚决做到两个唯护，现将有关事项通知如下。 一、各单位要"
    );
    assert_eq!(
        hits[2].context,
        "如下。 一、各单位要再接再励，扎实推进中华人民共合国宪法宣传工作，按装宣传栏。 二、联系电"
    );
    assert_eq!(hits[2].note, "国名错误");
    assert_eq!(
        hits[3].context,
        "励，扎实推进中华人民共合国宪法宣传工作，按装宣传栏。 二、联系电话：0798-88"
    );
}

#[test]
fn a_page_of_correct_phrases_and_allowed_ones_gives_nothing() {
    let page = "<p>中华人民共和国、中国共产党、全国人民代表大会、中国人民政治协商会议、国务院办公厅。</p>\
        <p>坚决做到两个维护，增强“四个意识”、坚定“四个自信”，全面从严治党，再接再厉。</p>\
        <p>请按装修合同约定施工，按装机容量收费；发布署名文章，部署假期安全工作。</p>\
        <p>这家俱乐部开展生态补偿试点，承担误工费用；队员在赛场上轻松驰骋。</p>";
    assert_eq!(builtin().find_in_html(page), vec![]);
}

#[test]
fn text_in_scripts_styles_attributes_and_urls_gives_nothing() {
    let page = r#"<html><head><script>var t = "中华人民共合国";</script>
<style>/* 再接再励 */ .a::after { content: "按装"; }</style></head>
<body><a href="/search?q=中华人民共合国" title="再接再励"><img src="按装.png" alt="两个唯护">正文</a>
<!-- 中国共产觉 --><input value="迫不急待"></body></html>"#;
    assert_eq!(builtin().find_in_html(page), vec![]);
}

#[test]
fn a_gbk_page_is_read_after_decoding() {
    let page = "<html><head><meta charset=gbk></head><body><p>本单位迫不急待地开展工作。</p></body></html>";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(page);
    assert!(!unmappable);
    assert_ne!(bytes.as_ref(), page.as_bytes());
    let (decoded, _, malformed) = encoding_rs::GBK.decode(&bytes);
    assert!(!malformed);
    let hits = builtin().find_in_html(&decoded);
    assert_eq!(
        summary(&hits),
        vec![("迫不急待", "迫不及待", Severity::Deduct)]
    );
    assert_eq!(hits[0].context, "本单位迫不急待地开展工作。");
}

#[test]
fn traditional_and_full_width_forms_are_found_and_reported_as_written() {
    let hits = builtin().find("憲法：中華人民共合國，再接再勵。");
    assert_eq!(
        summary(&hits),
        vec![
            ("中華人民共合國", "中华人民共和国", Severity::Veto),
            ("再接再勵", "再接再厉", Severity::Deduct),
        ]
    );
    let matcher = custom(
        r#"[[entries]]
wrong = "COVID-2019"
right = "COVID-19"
severity = "deduct""#,
    );
    let text = "感染ＣＯＶＩＤ－２０１９病例";
    let hits = matcher.find(text);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].wrong, "ＣＯＶＩＤ－２０１９");
    assert_eq!(&text[hits[0].start..hits[0].end], "ＣＯＶＩＤ－２０１９");
}

#[test]
fn character_references_are_read_as_the_characters() {
    let page = "<p>&#20013;华人民共合国&nbsp;与再接再&#x52B1;</p>";
    let hits = builtin().find_in_html(page);
    assert_eq!(
        summary(&hits),
        vec![
            ("中华人民共合国", "中华人民共和国", Severity::Veto),
            ("再接再励", "再接再厉", Severity::Deduct),
        ]
    );
    assert_eq!(&page[hits[0].start..hits[0].end], "&#20013;华人民共合国");
    assert_eq!(&page[hits[1].start..hits[1].end], "再接再&#x52B1;");
}

#[test]
fn the_longer_wrong_phrase_wins_and_allowed_phrases_cover_only_what_they_contain() {
    let matcher = custom(
        r#"allowed = ["甲乙丙"]
[[entries]]
wrong = "甲乙"
right = "甲已"
severity = "deduct"
[[entries]]
wrong = "乙丙丁"
right = "已丙丁"
severity = "veto"
[[entries]]
wrong = "戊己"
right = "戊已"
severity = "deduct"
[[entries]]
wrong = "戊己庚"
right = "戊已庚"
severity = "veto""#,
    );
    // 甲乙 is inside the allowed 甲乙丙, but 乙丙丁 runs past it: still wrong.
    let hits = matcher.find("甲乙丙丁，甲乙丙，甲乙，戊己庚，戊己");
    assert_eq!(
        hits.iter()
            .map(|h| (h.start, h.wrong.as_str()))
            .collect::<Vec<_>>(),
        vec![(3, "乙丙丁"), (27, "甲乙"), (36, "戊己庚"), (48, "戊己")]
    );
}

#[test]
fn a_plan_dictionary_can_change_a_builtin_entry() {
    let mut dictionary = Dictionary::builtin();
    let before = dictionary.entries().len();
    dictionary.extend(
        Dictionary::parse(
            "[[entries]]\nwrong = \"按装\"\nright = \"安装\"\nseverity = \"veto\"\nnote = \"本市从严\"\n",
            "plan.toml",
        )
        .unwrap(),
    );
    assert_eq!(dictionary.entries().len(), before);
    let hits = Matcher::new(&dictionary).find("按装");
    assert_eq!(
        (hits[0].severity, hits[0].note.as_str()),
        (Severity::Veto, "本市从严")
    );
}

#[test]
fn an_empty_dictionary_finds_nothing() {
    assert_eq!(
        Matcher::new(&Dictionary::default()).find("中华人民共合国"),
        vec![]
    );
}

#[test]
fn a_hit_travels_as_json() {
    let hit = &builtin().find("按装")[0];
    let json = serde_json::to_string(hit).unwrap();
    assert!(json.contains(r#""severity":"deduct""#), "{json}");
    assert_eq!(&serde_json::from_str::<Hit>(&json).unwrap(), hit);
}

#[test]
fn a_matcher_is_shared_across_worker_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Matcher>();
    shared::<Dictionary>();
    shared::<spotcheck_wording::PageText>();
}
