//! The plan's `[ipv6]` and `[tls]`: notices by default, raised or switched off by the plan,
//! and refused with their position when mistyped; `[network] resolve` with several addresses.

use std::path::Path;

use spotcheck_core::config_error::ConfigErrors;
use spotcheck_core::indicator::Severity;
use spotcheck_core::plan::Level;
use spotcheck_core::{Plan, Registry};

fn errors(text: &str) -> Vec<String> {
    let Err(ConfigErrors(es)) = Plan::parse(text, Path::new("plan.toml")) else {
        panic!("accepted a bad plan: {text}");
    };
    es.iter().map(|e| e.to_string()).collect()
}

#[test]
fn notices_by_default_raised_or_off_by_the_plan() {
    let p = Plan::parse("", Path::new("plan.toml")).unwrap();
    assert_eq!(p.ipv6.severity.severity(), Some(Severity::Notice));
    assert_eq!(p.tls.severity.severity(), Some(Severity::Notice));
    assert_eq!(p.ipv6.link_share, 0.85);
    assert_eq!(p.tls.expiring.days(), 30);
    let p = Plan::parse(
        "[ipv6]\nseverity = \"veto\"\nlinks = 5\n[tls]\nseverity = \"off\"\nexpiring = \"14d\"\n",
        Path::new("plan.toml"),
    )
    .unwrap();
    assert_eq!(p.ipv6.severity.severity(), Some(Severity::Veto));
    assert_eq!(p.ipv6.links, 5);
    assert_eq!(p.tls.severity, Level::Off);
    assert_eq!(p.tls.severity.severity(), None);
    assert_eq!(p.tls.expiring.days(), 14);
}

#[test]
fn mistyped_sections_are_refused_with_their_position() {
    let es = errors("[ipv6]\nlink_share = 1.5\n");
    assert_eq!(
        es,
        ["plan.toml:2:14: ipv6.link_share: `1.5` must be in [0, 1]: a share of the links tried"]
    );
    let es = errors("[tls]\nseverity = \"warning\"\n");
    assert!(es[0].starts_with("plan.toml:2:12"), "{es:?}");
    let es = errors("[tls]\nexpire = \"30d\"\n");
    assert!(
        es[0].starts_with("plan.toml:2:1") && es[0].contains("expire"),
        "{es:?}"
    );
}

#[test]
fn a_name_may_resolve_to_several_addresses() {
    let text = "[meta]\nregion = \"测试市\"\nname = \"测试\"\n[network]\nallow_private = true\n\
                [network.resolve]\n\"a.test\" = [\"::1\", \"127.0.0.1\"]\n\"b.test\" = \"127.0.0.2\"\n";
    let r = Registry::parse(text, Path::new("r.toml")).unwrap();
    let a: Vec<String> = r.network.resolve["a.test"]
        .iter()
        .map(|ip| ip.to_string())
        .collect();
    assert_eq!(a, ["::1", "127.0.0.1"]);
    assert_eq!(r.network.resolve["b.test"].iter().count(), 1);

    // An address inside is refused in a list as it is alone, unless private targets are allowed.
    let inside = text.replace("allow_private = true", "allow_private = false")
        + "[[units]]\nid = \"u\"\nname = \"局\"\n[[websites]]\nid = \"s\"\nunit = \"u\"\n\
           name = \"站\"\nurl = \"http://a.test/\"\n";
    let Err(ConfigErrors(es)) = Registry::parse(&inside, Path::new("r.toml")) else {
        panic!("accepted a name resolving to loopback");
    };
    assert!(
        es[0]
            .to_string()
            .contains("[network] resolve sends a.test to ::1"),
        "{es:?}"
    );

    let bad = text.replace("\"127.0.0.2\"", "[\"127.0.0.2\", \"nowhere\"]");
    let Err(ConfigErrors(es)) = Registry::parse(&bad, Path::new("r.toml")) else {
        panic!("accepted a bad address");
    };
    let e = es[0].to_string();
    assert!(
        e.starts_with("r.toml:8:") && e.contains("`nowhere` is not an IP address"),
        "{e}"
    );
}
