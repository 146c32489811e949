//! Text folding for search: case- and accent-insensitive matching of French text.

/// Lower-cases `s`, strips accents (é → e, ç → c, œ stays œ) and maps typographic apostrophes to `'`,
/// so that « Éducation » matches « education ».
///
/// ASCII characters (most of French text) are lower-cased in place; only the others are decomposed
/// (canonical decomposition, combining accents dropped). The catalogue folds every practice's text at
/// start-up, so this is on the path of a million records.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(&mut out, s);
    out
}

/// Appends the folded `s` ([`fold`]) to `out`: several texts folded into one string without a copy of
/// each. Runs of ASCII (most of French text) are copied and lower-cased whole.
pub fn fold_into(out: &mut String, s: &str) {
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(ascii);
        let start = out.len();
        out.push_str(run);
        out[start..].make_ascii_lowercase();
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            fold_char(c, |f| out.push(f));
        }
        rest = chars.as_str();
    }
}

/// The folded `parts` ([`fold`]), separated by a space, built in one string.
pub fn fold_joined<S: AsRef<str>>(parts: &[S]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.as_ref().len() + 1).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        fold_into(&mut out, part.as_ref());
    }
    out
}

/// Whether `fold(raw) == folded`, without building the folded string: the catalogue compares facet
/// values (« Mathématiques ») with a folded filter (« mathematiques ») this way instead of keeping a
/// folded copy of every value of every practice.
pub fn folds_to(raw: &str, folded: &str) -> bool {
    let mut want = folded.chars();
    let mut same = true;
    for c in raw.chars() {
        fold_char(c, |f| same &= want.next() == Some(f));
        if !same {
            return false;
        }
    }
    want.next().is_none()
}

/// The folded form of the Latin letters U+00C0 to U+017F (French accents and their neighbours) that
/// fold to one character, computed once by [`decompose_folded`]: searching a million titles and
/// summaries folds them on the fly, and the decomposition tables were most of that time.
static LATIN: std::sync::LazyLock<[Option<char>; LATIN_LEN]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|i| {
        let c = char::from_u32(LATIN_FIRST + i as u32)?;
        let mut folded = Vec::new();
        decompose_folded(c, |f| folded.push(f));
        (folded.len() == 1).then(|| folded[0])
    })
});
const LATIN_FIRST: u32 = 0xc0;
const LATIN_LEN: usize = 0x180 - 0xc0;

/// Calls `out` with the folded form of `c` (one character, or none for a combining accent, or several
/// when its lower case has several).
fn fold_char(c: char, mut out: impl FnMut(char)) {
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
    } else if let Some(Some(f)) = (c as u32).checked_sub(LATIN_FIRST).and_then(|i| LATIN.get(i as usize)) {
        out(*f);
    } else {
        decompose_folded(c, out);
    }
}

/// [`fold_char`] for a character outside ASCII, from the Unicode tables.
fn decompose_folded(c: char, mut out: impl FnMut(char)) {
    if c == '\u{2019}' {
        out('\'');
    } else {
        unicode_normalization::char::decompose_canonical(c, |d| {
            if !COMBINING_ACCENTS.contains(&d) {
                d.to_lowercase().for_each(&mut out);
            }
        });
    }
}

/// The combining diacritical marks dropped by [`fold`].
const COMBINING_ACCENTS: std::ops::RangeInclusive<char> = '\u{0300}'..='\u{036f}';

/// A search query, folded once, matching when every whitespace-separated term occurs in the text.
/// Each term's substring searcher is built once, not once per text searched.
#[derive(Clone, Debug)]
pub struct Query {
    terms: Vec<memchr::memmem::Finder<'static>>,
}

impl Query {
    /// Builds a query from user text; `None` when it holds no term.
    pub fn new(q: &str) -> Option<Self> {
        let terms: Vec<_> = fold(q)
            .split_whitespace()
            .map(|t| memchr::memmem::Finder::new(t).into_owned())
            .collect();
        (!terms.is_empty()).then_some(Self { terms })
    }

    /// Whether every term occurs in `folded` (text already passed through [`fold`]).
    pub fn matches(&self, folded: &str) -> bool {
        self.terms.iter().all(|t| in_text(t, folded))
    }

    /// Whether every term occurs in one of `texts` (each already folded): the same as [`Self::matches`]
    /// on the texts joined by spaces, since a term holds no space.
    pub fn matches_any(&self, texts: &[&str]) -> bool {
        self.terms.iter().all(|t| texts.iter().any(|s| in_text(t, s)))
    }

    /// Whether every term occurs in one of `folded` (texts already folded) or of `raw` (texts as
    /// written, folded here only when a term is not found in `folded`, into a buffer the thread
    /// reuses): the catalogue keeps no folded copy of a million titles and summaries.
    pub fn matches_raw(&self, raw: &[&str], folded: &[&str]) -> bool {
        thread_local! {
            static RAW_FOLDED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        RAW_FOLDED.with_borrow_mut(|buf| {
            let mut ready = false;
            self.terms.iter().all(|t| {
                if folded.iter().any(|s| in_text(t, s)) {
                    return true;
                }
                if !ready {
                    buf.clear();
                    for r in raw {
                        fold_into(buf, r);
                        buf.push(' ');
                    }
                    ready = true;
                }
                in_text(t, buf)
            })
        })
    }
}

fn in_text(term: &memchr::memmem::Finder<'_>, text: &str) -> bool {
    term.find(text.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Éducation Numérique à l’École"), "education numerique a l'ecole");
    }

    /// The reference: normalise the whole string (NFD), drop the accents, lower-case.
    fn fold_reference(s: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        s.nfd()
            .filter(|c| !COMBINING_ACCENTS.contains(c))
            .map(|c| if c == '\u{2019}' { '\'' } else { c })
            .flat_map(char::to_lowercase)
            .collect()
    }

    #[test]
    fn folds_every_latin_letter_as_the_whole_string_normalisation_does() {
        // ASCII, Latin-1, Latin Extended-A and B, typographic punctuation, Greek, already decomposed
        // letters (e + combining acute), each alone and all in one string.
        let mut all = String::new();
        for c in (0x20u32..0x250)
            .chain(0x2010..0x2030)
            .chain(0x370..0x400)
            .filter_map(char::from_u32)
        {
            assert_eq!(
                fold(&c.to_string()),
                fold_reference(&c.to_string()),
                "{c:?} (U+{:04X})",
                c as u32
            );
            all.push(c);
        }
        all.push_str("Cafe\u{0301} E\u{0300}cole Œuvre « Ça » l’IA");
        assert_eq!(fold(&all), fold_reference(&all));
    }

    #[test]
    fn folds_to_agrees_with_comparing_folded_strings() {
        let values = [
            "Mathématiques",
            "mathematiques",
            "MATHÉMATIQUES",
            "Mathématique",
            "Mathématiquesx",
            "Éducation physique",
            "education physique",
            "",
            "İ",
            "i\u{307}",
            "Œuvre",
            "l’IA",
            "l'ia",
        ];
        for raw in values {
            for other in values {
                let folded = fold(other);
                assert_eq!(
                    folds_to(raw, &folded),
                    fold(raw) == folded,
                    "{raw:?} against {folded:?}"
                );
            }
        }
    }

    #[test]
    fn every_term_must_match() {
        let q = Query::new("  robot ÉCOLE ").unwrap();
        assert!(q.matches(&fold("Robotique à l'école")));
        assert!(!q.matches(&fold("Robotique au collège")));
        assert!(Query::new("   ").is_none());
    }

    #[test]
    fn raw_texts_are_searched_as_if_folded() {
        let q = Query::new("ÉCOLE robot").unwrap();
        assert!(q.matches_raw(&["Robotique à l’École"], &[]));
        assert!(q.matches_raw(&["Robotique"], &["college de l'ecole"]));
        assert!(q.matches_raw(&["Ateliers à l’École"], &["robots"]));
        assert!(!q.matches_raw(&["Robotique au collège"], &["nice"]));
        // A term never spans two texts: « robot » is not in « Ro » + « bot ».
        assert!(!Query::new("robot").unwrap().matches_raw(&["Ro", "bot"], &[]));
        // The buffer is the thread's: a second query does not see the first one's text.
        assert!(!Query::new("ecole").unwrap().matches_raw(&["Collège"], &[]));
    }

    #[test]
    fn terms_may_match_in_different_texts() {
        let q = Query::new("robot antibes").unwrap();
        assert!(q.matches_any(&["robotique", "college de antibes"]));
        assert!(!q.matches_any(&["robotique", "college de nice"]));
        assert!(!q.matches_any(&[]));
    }
}
