//! Hostile input is refused with an error, never a panic or a blow-up.

use machi_data::alerts::*;

const JMA_NS: &str = "http://xml.kishou.go.jp/jmaxml1/";

fn all_parsers_refuse(bytes: &[u8], why: &str) {
    let errors = [
        parse_jma(bytes, "h.xml").err(),
        parse_cap(bytes, "h.xml").err(),
        parse_atom_feed(bytes, "h.xml").err(),
    ];
    for e in errors {
        let e = e.expect("hostile input must be refused");
        assert!(e.message.contains(why), "expected {why:?}, got: {e}");
        assert_eq!(e.source, "h.xml");
    }
}

#[test]
fn billion_laughs_is_refused_at_the_doctype() {
    let mut x = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    x.push_str(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..10 {
        let prev = format!("&lol{};", i - 1);
        x.push_str(&format!(" <!ENTITY lol{i} \"{}\">\n", prev.repeat(10)));
    }
    x.push_str(&format!("]>\n<Report xmlns=\"{JMA_NS}\">&lol9;</Report>"));
    all_parsers_refuse(x.as_bytes(), "DOCTYPE");
}

#[test]
fn external_entities_are_refused() {
    let x = format!("<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><Report xmlns=\"{JMA_NS}\">&xxe;</Report>");
    all_parsers_refuse(x.as_bytes(), "DOCTYPE");
    // Without a DOCTYPE an entity is simply undeclared.
    let x = format!("<Report xmlns=\"{JMA_NS}\">&xxe;</Report>");
    all_parsers_refuse(x.as_bytes(), "undeclared entity");
}

#[test]
fn ten_thousand_deep_nesting_is_refused() {
    let x = format!(
        "<Report xmlns=\"{JMA_NS}\">{}{}</Report>",
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    all_parsers_refuse(x.as_bytes(), "nested deeper than 64");
}

#[test]
fn five_mebibytes_are_refused_unread() {
    let mut x = format!("<Report xmlns=\"{JMA_NS}\"><Control><Title>");
    x.push_str(&"あ".repeat(5 * 1024 * 1024 / 3 + 10));
    x.push_str("</Title></Control></Report>");
    assert!(x.len() > 5 * 1024 * 1024);
    all_parsers_refuse(x.as_bytes(), "over the limit");
    // The cap is configurable.
    let lim = XmlLimits {
        max_bytes: 8 * 1024 * 1024,
        ..XmlLimits::default()
    };
    let e = parse_jma_with(x.as_bytes(), "h.xml", &lim).unwrap_err();
    assert!(!e.message.contains("over the limit"), "{e}");
}

#[test]
fn wrong_root_or_namespace_is_refused() {
    let cap = machi_testdata::read("alerts/cap/v1dot2_appendix_adot1.xml");
    let e = parse_jma(&cap, "cap.xml").unwrap_err();
    assert!(e.message.contains("root element is <alert>"), "{e}");
    let e = parse_cap(
        b"<alert xmlns=\"urn:example:not-cap\"><identifier>x</identifier></alert>",
        "c",
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("root namespace is \"urn:example:not-cap\""),
        "{e}"
    );
    let e = parse_jma(b"<Report><Control/></Report>", "j").unwrap_err();
    assert!(e.message.contains("root namespace is missing"), "{e}");
    // A prefixed root is fine when its prefix is bound to the right namespace.
    let ok = format!(
        "<j:Report xmlns:j=\"{JMA_NS}\"><j:Control><j:Title>t</j:Title></j:Control></j:Report>"
    );
    let e = parse_jma(ok.as_bytes(), "j").unwrap_err();
    assert_eq!(e.path, "Report/Head", "{e}");
}

#[test]
fn garbage_and_truncation_are_errors_not_panics() {
    let real = machi_testdata::read("alerts/jma_real/noto_2024-01/TsunamiAlarm.xml");
    // Every truncation of a real message, in steps: an error or a value, never a panic.
    for cut in (0..real.len()).step_by(97) {
        let _ = parse_jma(&real[..cut], "cut");
    }
    let _ = parse_jma(&[0xff, 0xfe, 0x00, 0x3c], "bin").unwrap_err();
    let e = parse_jma(
        b"<Report xmlns=\"http://xml.kishou.go.jp/jmaxml1/\">\xff</Report>",
        "bin",
    )
    .unwrap_err();
    assert!(e.message.contains("not UTF-8"), "{e}");
    let e = parse_cap(
        b"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x</alert>",
        "c",
    )
    .unwrap_err();
    assert!(e.message.contains("malformed XML"), "{e}");
}

#[test]
fn too_many_elements_are_refused() {
    let x = format!(
        "<Report xmlns=\"{JMA_NS}\">{}</Report>",
        "<a/>".repeat(300_000)
    );
    let e = parse_jma(x.as_bytes(), "h.xml").unwrap_err();
    assert!(e.message.contains("more than 250000 elements"), "{e}");
}

/// quick-xml's own duplicate-attribute check compares each attribute with every earlier one:
/// 150,000 attributes in one element were 11 billion comparisons (minutes on one core). The
/// check is a hash set now, and an element with more attributes than any real message has is
/// refused by name. Linear work takes milliseconds; the bound is the issue's.
#[test]
fn a_hundred_and_fifty_thousand_attributes_are_refused_in_linear_time() {
    let attrs: String = (0..150_000).map(|i| format!(" a{i}=\"x\"")).collect();
    let x = format!(
        "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"{attrs}><identifier>x</identifier></alert>"
    );
    let started = machi_testdata::cpu_time();
    let e = parse_cap(x.as_bytes(), "h.xml").unwrap_err();
    let took = machi_testdata::cpu_time() - started;
    assert!(e.message.contains("more than 256 attributes"), "{e}");
    assert_eq!(e.line, Some(1), "{e}");
    assert!(
        took < std::time::Duration::from_secs(1),
        "took {took:?} of CPU"
    );
    // A duplicate is still refused, by name.
    let x = b"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\" a=\"1\" b=\"2\" a=\"3\"/>";
    let e = parse_cap(x, "h.xml").unwrap_err();
    assert!(e.message.contains("attribute a appears twice"), "{e}");
}
