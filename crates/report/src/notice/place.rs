//! The region's names in the notice: the issuing office, 全市 / 我县, the addressees.

/// The region and the words that depend on its level (市, 县 or 区).
pub(super) struct Place<'a> {
    pub(super) region: &'a str,
    level: Option<char>,
}

impl<'a> Place<'a> {
    pub(super) fn new(region: &'a str) -> Place<'a> {
        let level = region
            .chars()
            .last()
            .filter(|c| matches!(c, '市' | '县' | '区'));
        Place { region, level }
    }

    /// `景德镇市人民政府办公室`, the issuing office.
    pub(super) fn office(&self) -> String {
        format!("{}人民政府办公室", self.region)
    }

    /// `市政府办公室` inside the text.
    pub(super) fn office_short(&self) -> String {
        match self.level {
            Some(l) => format!("{l}政府办公室"),
            None => self.office(),
        }
    }

    /// `全市`.
    pub(super) fn whole(&self) -> String {
        match self.level {
            Some(l) => format!("全{l}"),
            None => "全辖区".into(),
        }
    }

    /// `我市`.
    pub(super) fn ours(&self) -> String {
        match self.level {
            Some(l) => format!("我{l}"),
            None => "本地区".into(),
        }
    }

    pub(super) fn addressee(&self) -> String {
        match self.level {
            Some('市') => "各县（市、区）人民政府，市政府各部门，市直有关单位：".into(),
            Some('县') => "各乡（镇）人民政府，县政府各部门，县直有关单位：".into(),
            Some('区') => "各镇人民政府、街道办事处，区政府各部门，区直有关单位：".into(),
            _ => "各有关单位：".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_sets_the_level_words() {
        let city = Place::new("景德镇市");
        assert_eq!(city.whole(), "全市");
        assert_eq!(city.office_short(), "市政府办公室");
        assert_eq!(city.office(), "景德镇市人民政府办公室");
        assert!(city.addressee().starts_with("各县（市、区）"));
        assert_eq!(Place::new("浮梁县").ours(), "我县");
        assert_eq!(Place::new("某地").addressee(), "各有关单位：");
    }
}
