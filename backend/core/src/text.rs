//! Text folding for search: case- and accent-insensitive matching of French text.

use unicode_normalization::UnicodeNormalization;

/// Lower-cases `s`, strips accents (é → e, ç → c, œ stays œ) and maps typographic apostrophes to `'`,
/// so that « Éducation » matches « education ».
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !('\u{0300}'..='\u{036f}').contains(c))
        .map(|c| if c == '\u{2019}' { '\'' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Éducation Numérique à l’École"), "education numerique a l'ecole");
    }

    #[test]
    fn every_term_must_match() {
        let q = Query::new("  robot ÉCOLE ").unwrap();
        assert!(q.matches(&fold("Robotique à l'école")));
        assert!(!q.matches(&fold("Robotique au collège")));
        assert!(Query::new("   ").is_none());
    }
}
