//! What index.html paints before the app's wasm has arrived, written into the built app by
//! `machi-i18n export` (so every word comes from the catalogue):
//!
//! - [`head_script`], first in `<head>`: reads the saved settings (`machi.settings.v1`), or the
//!   browser's languages as `Lang::negotiate` does, and before anything is painted sets on
//!   `<html>` the language, text size, contrast and motion the app would set, and which first
//!   view to show (`data-first`: `welcome` on a first visit, `today` for a resident with a saved
//!   place, `frame` on any other page). It starts fetching the language's texts
//!   (`window.machiCatalogue`, taken by src/i18n.rs) and the feeds the page will ask first: for
//!   a saved municipality Today's, on Welcome the list of municipalities (and when it lists
//!   only one, that one's Today feeds: src/feeds.rs fetches the feeds of the municipality being
//!   chosen), on a `/c/{city}` link that municipality's (`window.machiFeeds`, URL → fetch
//!   promise, taken once by src/feeds.rs).
//! - [`view`], first in `<body>`: the header and the Welcome page's picker, heading and lead (or
//!   Today's heading) with the app's classes, in Japanese, `inert` (a picture of the page: not
//!   focusable, not in the accessibility tree), ending with a script with the same texts in every
//!   other language that puts the language on screen in. The app removes it as it mounts
//!   (src/main.rs), in the same task, so the two never coexist on screen.
//!
//! The hub allows both scripts by their hashes (crates/machi-hub/src/dist.rs).

use machi_i18n::{raw_in, segments, Lang, Msg, Segment};
use std::fmt::Write as _;

/// The feeds Today asks for as it starts (src/feeds.rs `CityData::provide`), under
/// `/feeds/{city}/`, in postcard (`.bin`, as the app reads them).
const TODAY_FEEDS: [&str; 3] = ["city", "garbage", "alerts"];

/// The texts of the first view, by the short key of their element's `data-msg`.
const TEXTS: [(&str, Msg); 7] = [
    ("a", Msg::AppName),
    ("l", Msg::WelcomeLanguage),
    ("c", Msg::LanguageCoverage),
    ("t", Msg::WelcomeTitle),
    ("g", Msg::AppTagline),
    ("i", Msg::WelcomeIntro),
    ("d", Msg::TodayTitle),
];

/// `s` as the content of a JavaScript string literal in double quotes, safe inside `<script>`.
fn js_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                write!(out, "\\u{:04x}", c as u32).unwrap()
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A message as the app's `T` renders it: ruby as `<ruby>`, and a text the language lacks marked
/// with the language it was found in.
fn message_html(lang: Lang, msg: Msg) -> String {
    let (text, found) = raw_in(lang, msg);
    let mut html = String::new();
    for segment in segments(text) {
        match segment {
            Segment::Text(t) => html.push_str(&escape(t)),
            Segment::Ruby { base, reading } => write!(
                html,
                "<ruby>{}<rp>(</rp><rt>{}</rt><rp>)</rp></ruby>",
                escape(base),
                escape(reading)
            )
            .unwrap(),
        }
    }
    let found = found.catalogue().html_lang;
    if found == lang.catalogue().html_lang {
        html
    } else {
        format!("<span lang=\"{found}\">{html}</span>")
    }
}

/// The script that goes first in `<head>` (see the module's documentation).
pub fn head_script() -> String {
    let foreign = Lang::negotiate(std::iter::empty());
    // Every language: [code, html lang, files to fetch, other tags it serves], all tags in lower
    // case (both `Lang::from_code` and `Lang::negotiate` ignore case).
    let mut langs = String::from("[");
    let mut foreign_at = 0;
    for (i, l) in Lang::all().enumerate() {
        let c = l.catalogue();
        if l == foreign {
            foreign_at = i;
        }
        let files: Vec<String> = l
            .files_needed()
            .map(|f| js_string(&format!("/i18n/{}", f.catalogue().file)))
            .collect();
        let also: Vec<String> = c
            .also_for
            .iter()
            .map(|t| js_string(&t.to_ascii_lowercase()))
            .collect();
        if i > 0 {
            langs.push(',');
        }
        write!(
            langs,
            "[{},{},[{}],[{}]]",
            js_string(c.code),
            js_string(c.html_lang),
            files.join(","),
            also.join(",")
        )
        .unwrap();
    }
    langs.push(']');
    let feeds: Vec<String> = TODAY_FEEDS.iter().map(|f| js_string(f)).collect();
    format!(
        concat!(
            "(function(){{try{{",
            "var L={langs},d=document.documentElement,s={{}},l,p,i,t,c,f,n;",
            "try{{s=JSON.parse(localStorage.getItem(\"machi.settings.v1\")||\"{{}}\")||{{}}}}catch(e){{}}",
            // A language by its code (or, for the browser's tags, by another tag it serves).
            "function by(t,a){{t=String(t).toLowerCase();for(var j=0;j<L.length;j++)if(L[j][0].toLowerCase()==t||a&&L[j][3].indexOf(t)>=0)return L[j]}}",
            "l=typeof s.lang==\"string\"&&by(s.lang);",
            // As `Lang::negotiate`: each tag, then the tag with its last subtag cut off.
            "if(!l){{p=navigator.languages||[navigator.language||\"\"];",
            "for(i=0;!l&&i<p.length;i++)for(t=String(p[i]).trim();!l&&t;t=t.lastIndexOf(\"-\")<0?\"\":t.slice(0,t.lastIndexOf(\"-\")))l=by(t,1);",
            "l=l||L[{foreign_at}]}}",
            "d.lang=l[1];d.setAttribute(\"data-lang\",l[0]);",
            "d.setAttribute(\"data-text\",s.text_size==\"150\"||s.text_size==\"200\"?s.text_size:\"100\");",
            "d.setAttribute(\"data-contrast\",s.high_contrast===true?\"high\":\"normal\");",
            "d.setAttribute(\"data-motion\",s.reduced_motion===true?\"reduce\":s.reduced_motion===false?\"full\":\"system\");",
            "c=typeof s.city==\"string\"&&/^[A-Za-z0-9-]+$/.test(s.city)&&s.city;",
            "n=location.pathname;p=n==\"/welcome\"||n==\"/\"&&!(c&&s.area)?\"welcome\":n==\"/\"?\"today\":\"frame\";",
            "d.setAttribute(\"data-first\",p);",
            "if(l[2].length)window.machiCatalogue={{code:l[0],texts:Promise.all(l[2].map(function(u){{return fetch(u).then(function(r){{return r.ok?r.text():null}},function(){{return null}})}}))}};",
            // The feeds of the hub's own `/feeds/`; with feeds elsewhere (`<meta name=machi-feeds>`,
            // a static export) the app finds them through a manifest, and only that is started.
            "f=window.machiFeeds={{}};",
            "function go(u){{if(!f[u]){{f[u]=fetch(u);f[u].catch(function(){{}})}}}}",
            "t=document.querySelector(\"meta[name=machi-feeds]\");t=t&&(t.getAttribute(\"content\")||\"\").trim();",
            "if(t)go(t+(t.slice(-1)==\"/\"?\"\":\"/\")+\"manifest.json\");",
            // Today's, for a saved municipality; the list of municipalities for Welcome, and
            // when it has only one (the page then chooses it), that one's Today feeds: its
            // areas are there at once and Today's data while the resident picks one; the
            // municipality a link `/c/{city}` names.
            "else{{function today(c){{[{feeds}].forEach(function(x){{go(\"/feeds/\"+c+\"/\"+x+\".bin\")}})}}",
            "if(c)today(c);",
            // The index is postcard (machi-data's `wire`): the header's two numbers, the index's
            // version, `generated_at`, the number of cities, then the first one's id
            // (`wire::tests::the_head_script_finds_a_single_city_in_the_index` walks it the same).
            "if(p==\"welcome\"){{go(t=\"/feeds/index.bin\");if(!c)f[t].then(function(r){{return r.ok&&r.clone().arrayBuffer()}}).then(function(b){{if(!b)return;var u=new Uint8Array(b),i=0;",
            "function v(){{for(var x=0,s=1,y;;s*=128){{y=u[i++];x+=(y&127)*s;if(!(y>127))return x}}}}",
            "v();v();v();b=v();i+=b;if(v()==1){{b=v();b=new TextDecoder().decode(u.subarray(i,i+b));if(/^[A-Za-z0-9-]+$/.test(b))today(b)}}}},function(){{}})}}",
            "t=/^\\/c\\/([A-Za-z0-9-]+)$/.exec(n);if(t)go(\"/feeds/\"+t[1]+\"/city.bin\")}}",
            "}}catch(e){{}}}})()"
        ),
        langs = langs,
        foreign_at = foreign_at,
        feeds = feeds.join(","),
    )
}

/// The first view and its script (see the module's documentation), in Japanese.
pub fn view() -> String {
    let ja = Lang::SOURCE;
    let m = |key: &str| {
        let msg = TEXTS.iter().find(|(k, _)| *k == key).unwrap().1;
        message_html(ja, msg)
    };
    let mut html = String::from("<div id=\"first\" inert>");
    // The header as the app draws it: the app's name, and on every page but Welcome the
    // language on screen (the icon's place kept by an empty box of its size) and the line the
    // place's name will fill.
    write!(
        html,
        "<div class=\"app-header\"><div class=\"app-header-row\"><span class=\"app-name\" data-msg=\"a\">{}</span><span class=\"lang-link\"><span class=\"icon\"></span><span lang=\"{}\">{}</span></span><span class=\"app-place\"></span></div></div>",
        m("a"),
        ja.catalogue().html_lang,
        escape(ja.catalogue().name)
    )
    .unwrap();
    html.push_str("<div class=\"main\">");
    // Welcome (src/pages/welcome.rs): the language picker, then the heading and the lead.
    write!(
        html,
        "<div class=\"page welcome first-welcome\"><fieldset class=\"choices language-picker\"><legend data-msg=\"l\">{}</legend><p class=\"hint\" data-msg=\"c\">{}</p>",
        m("l"),
        m("c")
    )
    .unwrap();
    for l in Lang::all() {
        let c = l.catalogue();
        let percent = c.coverage.percent();
        write!(
            html,
            "<label class=\"choice\" lang=\"{}\"><input type=\"radio\" value=\"{}\"{}><span>{}<span class=\"choice-note\" data-pct=\"{percent}\">{percent}%</span></span></label>",
            c.html_lang,
            escape(c.code),
            if l == ja { " checked" } else { "" },
            escape(c.name)
        )
        .unwrap();
    }
    write!(
        html,
        "</fieldset><h1 data-msg=\"t\">{}</h1><p class=\"tagline\" data-msg=\"g\">{}</p><p class=\"lead\" data-msg=\"i\">{}</p></div>",
        m("t"),
        m("g"),
        m("i")
    )
    .unwrap();
    // Today (src/pages/today.rs): its heading.
    write!(
        html,
        "<div class=\"page today first-today\"><h1 data-msg=\"d\">{}</h1></div>",
        m("d")
    )
    .unwrap();
    html.push_str("</div>");

    // The other languages' texts: {code: {h: html lang, n: name, m: {key: html}}}, in a script
    // inside the view, so it goes with it.
    let mut texts = String::from("{");
    for l in Lang::all().filter(|l| !l.is_source()) {
        let c = l.catalogue();
        if texts.len() > 1 {
            texts.push(',');
        }
        let messages: Vec<String> = TEXTS
            .iter()
            .map(|(k, msg)| format!("{k}:{}", js_string(&message_html(l, *msg))))
            .collect();
        write!(
            texts,
            "{}:{{h:{},n:{},m:{{{}}}}}",
            js_string(c.code),
            js_string(c.html_lang),
            js_string(c.name),
            messages.join(",")
        )
        .unwrap();
    }
    texts.push('}');
    write!(
        html,
        concat!(
            "<script>(function(){{try{{",
            "var T={texts},d=document.documentElement,c=d.getAttribute(\"data-lang\"),t=T[c],r=document.getElementById(\"first\"),e,i,x;",
            "if(!r)return;",
            "if(t){{e=r.querySelectorAll(\"[data-msg]\");for(i=0;i<e.length;i++)e[i].innerHTML=t.m[e[i].getAttribute(\"data-msg\")];",
            "e=r.querySelector(\".lang-link [lang]\");e.lang=t.h;e.textContent=t.n;",
            "e=r.querySelectorAll(\"input\");for(i=0;i<e.length;i++)e[i].checked=e[i].value==c}}",
            // Each language's share as `intl::percent` writes it, in that language's digits.
            "e=r.querySelectorAll(\"[data-pct]\");for(i=0;i<e.length;i++)try{{x=e[i].closest(\"[lang]\").lang;e[i].textContent=new Intl.NumberFormat(x,{{style:\"percent\"}}).format(e[i].getAttribute(\"data-pct\")/100)}}catch(y){{}}",
            "}}catch(e){{}}}})()</script></div>"
        ),
        texts = texts
    )
    .unwrap();
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_safe_in_a_script() {
        assert_eq!(
            js_string("a\"b\\c</script>\n"),
            "\"a\\\"b\\\\c\\u003c/script\\u003e\\u000a\""
        );
    }

    #[test]
    fn the_view_is_in_japanese_and_carries_every_other_language() {
        let html = view();
        let ja = Lang::SOURCE;
        assert!(html.starts_with("<div id=\"first\" inert>"));
        assert!(html.contains(&message_html(ja, Msg::WelcomeIntro)));
        for l in Lang::all().filter(|l| !l.is_source()) {
            assert!(
                html.contains(&js_string(&message_html(l, Msg::WelcomeIntro))),
                "{}",
                l.code()
            );
        }
        // One script, last in the view (removed with it: its text is never the page's).
        assert_eq!(html.matches("<script>").count(), 1);
        assert!(html.ends_with("</script></div>"));
        assert!(!html[html.find("<script>").unwrap() + 8..].contains("</script><div"));
    }

    #[test]
    fn the_head_script_knows_every_language_and_the_feeds() {
        let script = head_script();
        for l in Lang::all() {
            assert!(
                script.contains(&format!("[{},", js_string(l.code()))),
                "{}",
                l.code()
            );
        }
        assert!(script.contains("\"/feeds/\"+c+\"/\"+x+\".bin\""));
        // The walk through the postcard index that machi-data's
        // `wire::tests::the_head_script_finds_a_single_city_in_the_index` pins.
        assert!(script.contains("go(t=\"/feeds/index.bin\")"));
        assert!(script.contains("v();v();v();b=v();i+=b;if(v()==1){b=v();"));
        assert!(!script.contains("</"));
    }
}
