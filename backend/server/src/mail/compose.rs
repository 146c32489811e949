//! The e-mails Repère writes, in French, each as plain text and as e-mail-safe HTML (inline styles, no
//! image, no script), each with the link to act on. Texts written by people (titles, reasons, names)
//! are escaped by maud in the HTML.

use maud::{DOCTYPE, Markup, html};
use repere_store::outbox::Mail;

/// A paragraph of an e-mail: plain text, or text quoted from someone (shown set apart).
pub enum Para {
    Text(String),
    Quote(String),
    List(Vec<String>),
}

/// Builds a mail: greeting, paragraphs, one action button, and the footer (with the unsubscribe link
/// for the mails one may stop receiving).
pub struct Compose<'a> {
    pub to: &'a str,
    pub kind: &'a str,
    pub subject: String,
    pub paras: Vec<Para>,
    pub action: (&'a str, String),
    /// One-click unsubscribe address, and the preferences page, for non-essential mails.
    pub unsubscribe: Option<(String, String)>,
}

impl Compose<'_> {
    pub fn build(self) -> Mail {
        let mut text = String::from("Bonjour,\n\n");
        for p in &self.paras {
            match p {
                Para::Text(t) => text.push_str(&format!("{t}\n\n")),
                Para::Quote(q) => {
                    for line in q.lines() {
                        text.push_str(&format!("> {line}\n"));
                    }
                    text.push('\n');
                }
                Para::List(items) => {
                    for i in items {
                        text.push_str(&format!("- {i}\n"));
                    }
                    text.push('\n');
                }
            }
        }
        text.push_str(&format!("{} : {}\n\n", self.action.0, self.action.1));
        text.push_str("— Repère, CARDIE et DANE de l'académie de Nice\n");
        if let Some((unsubscribe, preferences)) = &self.unsubscribe {
            text.push_str(&format!(
                "\nPour ne plus recevoir ce type de message : {unsubscribe}\nVos préférences : {preferences}\n"
            ));
        }
        let html = page(&self);
        Mail {
            to: self.to.to_string(),
            subject: self.subject,
            text,
            html: html.into_string(),
            kind: self.kind.to_string(),
            unsubscribe_url: self.unsubscribe.map(|(u, _)| u),
        }
    }
}

fn page(c: &Compose<'_>) -> Markup {
    let p = "margin:0 0 16px;font-size:16px;line-height:1.5;color:#161616";
    html! {
        (DOCTYPE)
        html lang="fr" {
            head { (crate::html::head_start(&c.subject)) }
            body style="margin:0;padding:0;background:#f6f6f6;font-family:Marianne,Arial,sans-serif" {
                div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff" {
                    p style="margin:0 0 24px;font-weight:700;font-size:18px;color:#000091" { "Repère — académie de Nice" }
                    p style=(p) { "Bonjour," }
                    @for para in &c.paras {
                        @match para {
                            Para::Text(t) => p style=(p) { (t) },
                            Para::Quote(q) => blockquote style="margin:0 0 16px;padding:8px 16px;border-left:4px solid #000091;background:#f5f5fe;white-space:pre-wrap;font-size:16px" { (q) },
                            Para::List(items) => ul style=(p) { @for i in items { li { (i) } } },
                        }
                    }
                    p style="margin:24px 0" {
                        a href=(c.action.1) style="display:inline-block;padding:10px 20px;background:#000091;color:#ffffff;text-decoration:none;font-size:16px" { (c.action.0) }
                    }
                    p style="margin:0 0 8px;font-size:14px;color:#3a3a3a" { "Si le bouton ne fonctionne pas, copiez cette adresse : " (c.action.1) }
                    hr style="border:0;border-top:1px solid #dddddd;margin:24px 0";
                    p style="margin:0;font-size:13px;color:#666666" { "Repère — CARDIE et DANE de l'académie de Nice. Message automatique : merci de ne pas y répondre." }
                    @if let Some((unsubscribe, preferences)) = &c.unsubscribe {
                        p style="margin:8px 0 0;font-size:13px;color:#666666" {
                            a href=(unsubscribe) style="color:#000091" { "Ne plus recevoir ce type de message" }
                            " · "
                            a href=(preferences) style="color:#000091" { "Mes préférences" }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_html_carry_the_action_and_escape_what_people_wrote() {
        let mail = Compose {
            to: "a@ac-nice.fr",
            kind: "decision",
            subject: "Votre remontée".into(),
            paras: vec![
                Para::Text("Refusée.".into()),
                Para::Quote("<script>x</script> & co".into()),
            ],
            action: ("Voir mes remontées", "https://r.fr/mes-remontees.html".into()),
            unsubscribe: Some((
                "https://r.fr/api/mail/unsubscribe?t=1".into(),
                "https://r.fr/preferences.html".into(),
            )),
        }
        .build();
        assert!(mail.text.contains("> <script>x</script> & co"));
        assert!(
            mail.text
                .contains("Voir mes remontées : https://r.fr/mes-remontees.html")
        );
        assert!(mail.html.contains("&lt;script&gt;x&lt;/script&gt; &amp; co"));
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("href=\"https://r.fr/api/mail/unsubscribe?t=1\""));
        assert_eq!(
            mail.unsubscribe_url.as_deref(),
            Some("https://r.fr/api/mail/unsubscribe?t=1")
        );
    }
}
