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
/// each.
pub fn fold_into(out: &mut String, s: &str) {
    for c in s.chars() {
        fold_char(c, |f| out.push(f));
    }
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

/// Calls `out` with the folded form of `c` (one character, or none for a combining accent, or several
/// when its lower case has several).
fn fold_char(c: char, mut out: impl FnMut(char)) {
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
    } else if c == '\u{2019}' {
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    /// Builds a query from user text; `None` when it holds no term.
    pub fn new(q: &str) -> Option<Self> {
        let terms: Vec<String> = fold(q).split_whitespace().map(str::to_owned).collect();
        (!terms.is_empty()).then_some(Self { terms })
    }

    /// Whether every term occurs in `folded` (text already passed through [`fold`]).
    pub fn matches(&self, folded: &str) -> bool {
        self.terms.iter().all(|t| folded.contains(t.as_str()))
    }

    /// Whether every term occurs in one of `texts` (each already folded): the same as [`Self::matches`]
    /// on the texts joined by spaces, since a term holds no space.
    pub fn matches_any(&self, texts: &[&str]) -> bool {
        self.terms.iter().all(|t| texts.iter().any(|s| s.contains(t.as_str())))
    }
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
    fn terms_may_match_in_different_texts() {
        let q = Query::new("robot antibes").unwrap();
        assert!(q.matches_any(&["robotique", "college de antibes"]));
        assert!(!q.matches_any(&["robotique", "college de nice"]));
        assert!(!q.matches_any(&[]));
    }
}
