//! CSV files: UTF-8 (with or without BOM), UTF-16 with BOM, or a legacy Chinese encoding
//! (GBK, as Excel on a Chinese Windows saves CSV), detected by chardetng.

use std::path::Path;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, GB18030, GBK};

use crate::IntakeError;
use crate::sheet::{Sheet, tidy};

pub(crate) fn read(path: &Path, file: &str) -> Result<Vec<Sheet>, IntakeError> {
    let failed = |reason: String| IntakeError::Read {
        file: file.to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| failed(e.to_string()))?;
    let text = decode(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| failed(e.to_string()))?;
        rows.push(record.iter().map(tidy).collect());
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string());
    Ok(vec![Sheet {
        file: file.to_string(),
        name,
        rows,
    }])
}

/// The file's text: a BOM decides; valid UTF-8 is UTF-8; anything else is guessed (GBK is
/// read as GB18030, its superset, so no character is lost).
fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guessed = detector.guess(Some(b"cn"), Utf8Detection::Allow);
    let enc = if guessed == GBK { GB18030 } else { guessed };
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn gbk_bytes_come_out_as_the_chinese_they_encode() {
        let text = "网站名称,首页网址\n市人社局网站,http://rsj.example.gov.cn/\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode(&gbk), text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom), text);
    }
}
