//! What every HTML page and mail the server writes itself starts with.

use maud::{Markup, html};

/// The first elements of a page's `head`: its encoding, a viewport for phones, and its title.
pub fn head_start(title: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) }
    }
}

/// The body style of the lettre des usages, as a mail and as a page (mail clients ignore style sheets).
pub const LETTER_BODY: &str =
    "margin:0;padding:0;background:#f6f6f6;font-family:Arial,Helvetica,sans-serif;color:#161616;";
