//! The inspector's message: Markdown rendered by `pulldown-cmark`, then cleaned by `ammonia`. Raw HTML
//! written in the Markdown is shown as text, never interpreted; links keep only `http`, `https` and
//! `mailto` (relative ones become absolute on Repère's address); images only from Repère itself. The
//! result is safe in the page and in the e-mail alike.

use std::borrow::Cow;
use std::collections::HashSet;

use pulldown_cmark::{Event, Options, Parser, html};

/// Tags the message may use.
const TAGS: &[&str] = &[
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h3",
    "h4",
    "code",
    "img",
];

/// The message as safe HTML; `base` is Repère's public address (`https://repere.ac-nice.fr`).
pub fn render(markdown: &str, base: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).map(|e| match e {
        // What looks like HTML in the message is text.
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        // Headings of a message are small: they sit under the edition's title.
        other => other,
    });
    let mut raw = String::new();
    html::push_html(&mut raw, parser);
    let raw = raw
        .replace("<h1>", "<h3>")
        .replace("</h1>", "</h3>")
        .replace("<h2>", "<h3>")
        .replace("</h2>", "</h3>");
    sanitise(&raw, base)
}

/// Cleans `html` to the tags above, safe links and images from `base` only.
pub fn sanitise(html: &str, base: &str) -> String {
    let own = format!("{}/", base.trim_end_matches('/'));
    let mut b = ammonia::Builder::empty();
    b.tags(TAGS.iter().copied().collect::<HashSet<_>>())
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("img", ["src", "alt"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    if let Ok(url) = url::Url::parse(&own) {
        b.url_relative(ammonia::UrlRelative::RewriteWithBase(url));
    } else {
        b.url_relative(ammonia::UrlRelative::Deny);
    }
    b.attribute_filter(move |element, attribute, value| match (element, attribute) {
        ("img", "src") if !value.starts_with(&own) => None,
        _ => Some(Cow::Borrowed(value)),
    });
    b.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://repere.ac-nice.fr";

    #[test]
    fn markdown_becomes_simple_html() {
        let h = render("## Bravo\n\nUn **beau** [projet](/usage/3).", BASE);
        assert!(h.contains("<h3>Bravo</h3>"), "{h}");
        assert!(h.contains("<strong>beau</strong>"));
        assert!(h.contains(r#"href="https://repere.ac-nice.fr/usage/3""#), "{h}");
    }

    /// The tags of `html` (text between `<` and `>`; escaped text has no `<`).
    pub fn tags(html: &str) -> Vec<&str> {
        html.split('<').skip(1).filter_map(|t| t.split('>').next()).collect()
    }

    #[test]
    fn nothing_executable_survives() {
        for payload in [
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "<img src=x onerror=alert(1)>",
            "![x](https://evil.example/pixel.png)",
            "<a href=\"javascript:alert(1)\">x</a>",
        ] {
            let h = render(payload, BASE);
            for t in tags(&h) {
                let t = t.to_lowercase();
                assert!(!t.starts_with("script"), "{payload} → {h}");
                assert!(!t.contains("javascript:") && !t.contains(" on"), "{payload} → {h}");
                assert!(!t.contains("evil.example"), "{payload} → {h}");
            }
        }
    }
}
