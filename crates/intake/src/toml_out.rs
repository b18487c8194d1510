//! The registry as TOML text, every entry under a comment naming the row it came from.

use std::fmt::Write;

use crate::problem::Origin;
use crate::rows::{Draft, Entry};

/// The registry's `[meta]`.
#[derive(Debug, Clone)]
pub struct Meta {
    pub region: String,
    pub name: String,
}

/// The registry text of `draft`, with a first comment naming the source files.
pub fn write(draft: &Draft, meta: &Meta, sources: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# 由 spotcheck registry import 从 {} 生成；每一项上方注明来源的文件、工作表和行。",
        sources.join("、")
    );
    out.push_str("\n[meta]\n");
    field(&mut out, "region", &meta.region);
    field(&mut out, "name", &meta.name);
    for Entry { value, origin, .. } in &draft.units {
        table(&mut out, "units", origin, &[]);
        field(&mut out, "id", &value.id);
        field(&mut out, "name", &value.name);
        if let Some(email) = &value.email {
            field(&mut out, "email", email);
        }
        if let Some(contact) = &value.contact {
            field(&mut out, "contact", contact);
        }
    }
    for Entry {
        value,
        origin,
        notes,
    } in &draft.websites
    {
        table(&mut out, "websites", origin, notes);
        field(&mut out, "id", &value.id);
        field(&mut out, "unit", &value.unit);
        field(&mut out, "name", &value.name);
        field(&mut out, "url", value.url.as_str());
        if let Some(code) = &value.code {
            field(&mut out, "code", code);
        }
    }
    for Entry {
        value,
        origin,
        notes,
    } in &draft.accounts
    {
        table(&mut out, "accounts", origin, notes);
        field(&mut out, "id", &value.id);
        field(&mut out, "unit", &value.unit);
        let platform = toml::Value::try_from(value.platform).expect("a platform is a string");
        let _ = writeln!(out, "platform = {platform}");
        field(&mut out, "name", &value.name);
        if let (Some(appid), Some(env)) = (&value.appid, &value.secret_env) {
            field(&mut out, "appid", appid);
            field(&mut out, "secret_env", env);
        }
    }
    out
}

/// `[[name]]` under a comment naming the source row and the row's notes.
fn table(out: &mut String, name: &str, origin: &Origin, notes: &[String]) {
    let _ = write!(
        out,
        "\n# {} 「{}」 第 {} 行",
        origin.file, origin.sheet, origin.row
    );
    for n in notes {
        let _ = write!(out, "；{}", n.replace(['\n', '\r'], " "));
    }
    let _ = writeln!(out, "\n[[{name}]]");
}

/// `key = "value"`, quoted and escaped by the TOML writer.
fn field(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {}", toml::Value::String(value.to_string()));
}
