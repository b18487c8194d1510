//! A leader's name written wrong next to the title.

use spotcheck_wording::{Dictionary, Matcher, Severity};

fn matcher() -> Matcher {
    let mut dictionary = Dictionary::default();
    dictionary.add_leader("张建国", "市长").unwrap();
    dictionary.add_leader("李明", "市委书记").unwrap();
    dictionary.add_leader("王小平", "副市长").unwrap();
    dictionary.add_leader("买买提·艾力", "州长").unwrap();
    Matcher::new(&dictionary)
}

#[test]
fn a_name_with_one_wrong_character_after_the_title_is_a_veto() {
    let text = "会上，市长张建围作了讲话。";
    let hits = matcher().find(text);
    assert_eq!(hits.len(), 1, "{hits:?}");
    let hit = &hits[0];
    assert_eq!(
        (hit.wrong.as_str(), hit.right.as_str()),
        ("张建围", "张建国")
    );
    assert_eq!(hit.severity, Severity::Veto);
    assert_eq!(&text[hit.start..hit.end], "张建围");
    assert_eq!(hit.context, text);
    assert!(hit.note.contains("市长张建国"), "{}", hit.note);

    for written in [
        "市长：张建困出席",
        "市长 张建困出席",
        "市委书记李朋强调",
        "市長張建圍",
        "副市长王小乎出席",
        "州长买买提·艾丽出席",
    ] {
        assert_eq!(matcher().find(written).len(), 1, "{written}");
    }
}

#[test]
fn the_right_name_and_near_names_away_from_the_title_give_nothing() {
    for text in [
        "市长张建国作了讲话，市委书记李明强调。",
        // One character off, but not next to the title.
        "张建围同志参加了会议。市长在会上指出，要抓好落实。",
        "市长指出，张建围要抓好落实。",
        // A deputy is not the leader; another given leader's name is not a misspelling.
        "副市长王小平出席。",
        "常务副市长张建围出席。",
        "市长王小平出席。",
        // Two characters off, or not a name at all.
        "市长王建军出席。",
        "市长张建，",
        "州长买买提·艾力出席。",
    ] {
        assert_eq!(matcher().find(text), vec![], "{text}");
    }
}

#[test]
fn bad_leaders_are_refused() {
    let mut dictionary = Dictionary::default();
    assert!(dictionary.add_leader("张", "市长").is_err());
    assert!(dictionary.add_leader("张三", " ").is_err());
    assert!(dictionary.add_leader("张三", "市长").is_ok());
}
