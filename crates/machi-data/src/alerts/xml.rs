//! A small, hardened XML reader shared by the JMA, CAP and Atom parsers.
//!
//! Alert sources come from the network, so this reader assumes hostile input: it refuses input over a
//! size cap before looking at it, nesting deeper than a depth cap, any `<!DOCTYPE` (and with it every
//! `<!ENTITY` declaration, so no entity expansion), entities other than the five predefined ones and
//! character references, and more elements than a cap. It never panics on malformed input: every
//! failure is an [`AlertError`] naming the source, the element path and the line.
//!
//! It builds a small tree of elements keyed by *local* name: prefixes do not matter (`jmx_eb:Coordinate`
//! and `Coordinate` are the same), because JMA and CAP publishers differ in how they declare
//! namespaces. Only the root's namespace is checked, by the format parsers.

use super::error::AlertError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashSet;

/// Caps applied before and while reading XML. The defaults fit every real JMA message (the largest,
/// a 震源・震度に関する情報 for the Noto earthquake, is 442 KB) with room to spare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// Input larger than this many bytes is refused unread.
    pub max_bytes: usize,
    /// Elements nested deeper than this are refused.
    pub max_depth: usize,
    /// Documents with more elements than this are refused.
    pub max_elements: usize,
    /// Elements with more attributes than this are refused (real ones have a handful).
    pub max_attributes: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        Self {
            max_bytes: 2 * 1024 * 1024,
            max_depth: 64,
            max_elements: 250_000,
            max_attributes: 256,
        }
    }
}

/// One element: local name, attributes (local names; `xmlns` declarations kept as written), the
/// concatenated text directly inside it, and its child elements in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    /// Byte offset of the start tag in the input, for line numbers in errors.
    pub pos: usize,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of local names below this one (`["Head", "InfoType"]`).
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The trimmed text of the element at `path`, if it exists and is not blank.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|e| e.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// This element's own trimmed text.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed document: the root element, its namespace, and the input for line numbers.
pub(crate) struct XmlDoc<'a> {
    pub root: Element,
    /// The namespace URI bound to the root element's prefix (or the default namespace).
    pub root_ns: Option<String>,
    src: &'a str,
    source: &'a str,
}

impl XmlDoc<'_> {
    /// 1-based line of a byte offset.
    pub fn line(&self, pos: usize) -> u32 {
        line_of(self.src, pos)
    }

    /// An error at an element.
    pub fn err(&self, path: &str, at: Option<&Element>, message: impl Into<String>) -> AlertError {
        AlertError::new(self.source, path, at.map(|e| self.line(e.pos)), message)
    }

    /// Refuses a document whose root is not `local` in namespace `ns` (one of `namespaces`).
    pub fn expect_root(&self, local: &str, namespaces: &[&str]) -> Result<(), AlertError> {
        if self.root.name != local {
            return Err(self.err(
                &self.root.name,
                Some(&self.root),
                format!("root element is <{}>, expected <{local}>", self.root.name),
            ));
        }
        match self.root_ns.as_deref() {
            Some(ns) if namespaces.contains(&ns) => Ok(()),
            other => Err(self.err(
                local,
                Some(&self.root),
                format!(
                    "root namespace is {}, expected {}",
                    other.map_or_else(|| "missing".to_owned(), |n| format!("\"{n}\"")),
                    namespaces.join(" or ")
                ),
            )),
        }
    }
}

fn line_of(src: &str, pos: usize) -> u32 {
    let pos = pos.min(src.len());
    let n = src.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

/// Bytes → UTF-8 text, with the size cap applied first. A UTF-8 byte-order mark is dropped.
/// An element's text as an RFC 3339 date-time (JMA and CAP both write them so), or an error naming
/// the element.
pub(crate) fn time(
    doc: &XmlDoc<'_>,
    el: &Element,
    path: &str,
) -> Result<chrono::DateTime<chrono::FixedOffset>, AlertError> {
    chrono::DateTime::parse_from_rfc3339(el.trimmed()).map_err(|e| {
        doc.err(
            path,
            Some(el),
            format!("bad date-time {:?}: {e}", el.trimmed()),
        )
    })
}

pub(crate) fn decode_utf8<'b>(
    bytes: &'b [u8],
    source: &str,
    max_bytes: usize,
) -> Result<&'b str, AlertError> {
    if bytes.len() > max_bytes {
        return Err(AlertError::new(
            source,
            "",
            None,
            format!(
                "input is {} bytes, over the limit of {max_bytes}",
                bytes.len()
            ),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        AlertError::new(
            source,
            "",
            u32::try_from(line).ok(),
            format!(
                "input is not UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Reads `bytes` into a tree under `limits`. `source` names the input in errors.
pub(crate) fn parse<'a>(
    bytes: &'a [u8],
    source: &'a str,
    limits: &XmlLimits,
) -> Result<XmlDoc<'a>, AlertError> {
    let src = decode_utf8(bytes, source, limits.max_bytes)?;
    let mut reader = Reader::from_str(src);
    reader.config_mut().check_end_names = true;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut root_ns: Option<String> = None;
    let mut elements = 0usize;
    let path_of = |stack: &[Element]| {
        stack
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join("/")
    };
    let fail = |stack: &[Element], pos: u64, msg: String| {
        AlertError::new(
            source,
            path_of(stack),
            Some(line_of(src, pos as usize)),
            msg,
        )
    };

    loop {
        let pos = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                return Err(fail(
                    &stack,
                    reader.error_position(),
                    format!("malformed XML: {e}"),
                ))
            }
        };
        match event {
            Event::DocType(_) => {
                return Err(fail(
                    &stack,
                    pos,
                    "DOCTYPE/ENTITY declarations are refused (entity expansion)".into(),
                ))
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                if stack.len() >= limits.max_depth {
                    return Err(fail(
                        &stack,
                        pos,
                        format!("elements nested deeper than {}", limits.max_depth),
                    ));
                }
                elements += 1;
                if elements > limits.max_elements {
                    return Err(fail(
                        &stack,
                        pos,
                        format!("more than {} elements", limits.max_elements),
                    ));
                }
                if stack.is_empty() && root.is_some() {
                    return Err(fail(&stack, pos, "a second root element".into()));
                }
                let el = element(start, pos as usize, limits.max_attributes)
                    .map_err(|m| fail(&stack, pos, m))?;
                if stack.is_empty() {
                    root_ns = namespace_of(start, &el);
                }
                if is_empty {
                    attach(&mut stack, &mut root, el);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| fail(&[], pos, "unexpected end tag".into()))?;
                attach(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                let s = t
                    .xml_content()
                    .map_err(|e| fail(&stack, pos, format!("bad text: {e}")))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(fail(&stack, pos, "text outside the root element".into())),
                }
            }
            Event::CData(t) => {
                let s = t
                    .decode()
                    .map_err(|e| fail(&stack, pos, format!("bad CDATA: {e}")))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let resolved: String = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => return Err(fail(&stack, pos, "bad character reference".into())),
                    }
                } else {
                    let name = r
                        .decode()
                        .map_err(|e| fail(&stack, pos, format!("bad entity: {e}")))?;
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(fail(
                                &stack,
                                pos,
                                format!(
                                "undeclared entity &{name}; (only the predefined five are allowed)"
                            ),
                            ))
                        }
                    }
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        let at = reader.buffer_position();
        return Err(fail(&stack, at, "input ends inside an element".into()));
    }
    let root = root.ok_or_else(|| AlertError::new(source, "", None, "no root element"))?;
    Ok(XmlDoc {
        root,
        root_ns,
        src,
        source,
    })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn element(start: &BytesStart<'_>, pos: usize, max_attributes: usize) -> Result<Element, String> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    // quick-xml's own duplicate check compares every attribute with every earlier one
    // (quadratic in their number); a set of the qualified names does it in linear time.
    let mut seen: HashSet<&[u8]> = HashSet::new();
    for a in start.attributes().with_checks(false) {
        let a = a.map_err(|e| format!("bad attribute in <{name}>: {e}"))?;
        if attrs.len() >= max_attributes {
            return Err(format!(
                "<{name}> has more than {max_attributes} attributes"
            ));
        }
        let key = a.key.into_inner();
        if !seen.insert(key) {
            return Err(format!(
                "attribute {} appears twice in <{name}>",
                String::from_utf8_lossy(key)
            ));
        }
        let key = if key == b"xmlns" || key.starts_with(b"xmlns:") {
            String::from_utf8_lossy(key).into_owned()
        } else {
            String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned()
        };
        let value = a
            .unescape_value()
            .map_err(|e| format!("bad value of attribute {key} in <{name}>: {e}"))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        text: String::new(),
        children: Vec::new(),
        pos,
    })
}

/// The namespace bound to the root element's own prefix, from its own declarations.
fn namespace_of(start: &BytesStart<'_>, el: &Element) -> Option<String> {
    let qname = start.name();
    let key = match qname.prefix() {
        Some(p) => format!("xmlns:{}", String::from_utf8_lossy(p.as_ref())),
        None => "xmlns".to_owned(),
    };
    el.attr(&key).map(|v| v.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<XmlDoc<'_>, AlertError> {
        parse(s.as_bytes(), "t.xml", &XmlLimits::default())
    }

    #[test]
    fn prefixes_do_not_matter_and_entities_resolve() {
        let d = p(
            r#"<a:R xmlns:a="urn:x" xmlns:b="urn:y"><b:C t="1&amp;2">x &lt; y &#x41;</b:C></a:R>"#,
        )
        .unwrap();
        assert_eq!(d.root.name, "R");
        assert_eq!(d.root_ns.as_deref(), Some("urn:x"));
        let c = d.root.child("C").unwrap();
        assert_eq!(c.attr("t"), Some("1&2"));
        assert_eq!(c.trimmed(), "x < y A");
    }

    #[test]
    fn doctype_is_refused() {
        let e = p("<!DOCTYPE r [<!ENTITY a \"b\">]><r>&a;</r>")
            .err()
            .unwrap();
        assert!(e.message.contains("DOCTYPE"), "{e}");
    }

    #[test]
    fn undeclared_entities_are_refused() {
        let e = p("<r>&a;</r>").err().unwrap();
        assert!(e.message.contains("undeclared entity"), "{e}");
    }

    #[test]
    fn depth_cap_names_the_line() {
        let s = format!("<r>\n{}{}</r>", "<a>".repeat(100), "</a>".repeat(100));
        let e = p(&s).err().unwrap();
        assert!(e.message.contains("deeper than 64"), "{e}");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn truncated_and_mismatched_input_is_an_error() {
        assert!(p("<r><a></r>").is_err());
        assert!(p("<r><a>").is_err());
        assert!(p("").is_err());
        assert!(p("<r/><r/>").is_err());
    }

    #[test]
    fn size_cap_is_checked_first() {
        let lim = XmlLimits {
            max_bytes: 10,
            ..XmlLimits::default()
        };
        let e = parse(b"<r>0123456789</r>", "t", &lim).err().unwrap();
        assert!(e.message.contains("over the limit"), "{e}");
    }
}
