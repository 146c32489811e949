//! "Aller à…": finding a commune or an establishment from a few typed words, whatever the accents, the
//! case, the order of the words or a typo. Each typed word must match a word of the place: as the start
//! of it (the user is still typing), or within one edit (two for long words) of it or of its start.
//! Fewer typos rank first, then the places whose words were matched whole.

use crate::text::fold;

/// A typed query, folded and cut into words.
#[derive(Debug, Clone)]
pub struct PlaceQuery {
    words: Vec<String>,
}

/// How well a place matched: lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score {
    /// Edits needed, over all the typed words.
    pub typos: u32,
    /// Typed words that only matched the start of a word.
    pub partial: u32,
}

/// Edits allowed for a typed word of this length: none for short words (too many would match).
fn allowed(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

impl PlaceQuery {
    /// `None` when the text holds no word.
    pub fn new(text: &str) -> Option<Self> {
        let words: Vec<String> = fold(text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        (!words.is_empty()).then_some(Self { words })
    }

    /// The score of a place whose text (already folded) is `folded`, or `None` if a typed word matches
    /// none of its words.
    pub fn score(&self, folded: &str) -> Option<Score> {
        let words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let mut total = Score { typos: 0, partial: 0 };
        for typed in &self.words {
            let best = words.iter().filter_map(|w| word_score(typed, w)).min()?;
            total.typos += best.typos;
            total.partial += best.partial;
        }
        Some(total)
    }
}

/// How `typed` matches the place's word `word`: whole or as its start, exactly or within the edits allowed.
fn word_score(typed: &str, word: &str) -> Option<Score> {
    if word == typed {
        return Some(Score { typos: 0, partial: 0 });
    }
    if word.starts_with(typed) {
        return Some(Score { typos: 0, partial: 1 });
    }
    // Codes (INSEE, UAI) are typed exactly: 83061 is not a typo of 83062.
    let max = if typed.chars().any(|c| c.is_ascii_digit()) {
        0
    } else {
        allowed(typed.chars().count())
    };
    if max == 0 {
        return None;
    }
    let whole = strsim::levenshtein(typed, word);
    // The start of the word, as long as what was typed, give or take the edits allowed.
    let n = typed.chars().count();
    let prefix = (n.saturating_sub(max)..=n + max)
        .filter(|&len| len < word.chars().count())
        .map(|len| {
            let start: String = word.chars().take(len).collect();
            strsim::levenshtein(typed, &start)
        })
        .min()
        .unwrap_or(usize::MAX);
    if whole <= max && whole <= prefix {
        Some(Score {
            typos: whole as u32,
            partial: 0,
        })
    } else if prefix <= max {
        Some(Score {
            typos: prefix as u32,
            partial: 1,
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(q: &str, place: &str) -> Option<Score> {
        PlaceQuery::new(q).unwrap().score(&fold(place))
    }

    #[test]
    fn accents_case_order_and_typos_do_not_matter() {
        assert_eq!(score("frejus", "Fréjus"), Some(Score { typos: 0, partial: 0 }));
        assert_eq!(score("FRÉJUS", "Fréjus"), Some(Score { typos: 0, partial: 0 }));
        assert_eq!(score("fre", "Fréjus"), Some(Score { typos: 0, partial: 1 }));
        assert!(score("frejsu", "Fréjus").is_some(), "a swap within the edits allowed");
        assert!(score("freju", "Fréjus").is_some());
        assert_eq!(score("frjus", "Fréjus").map(|s| s.typos), Some(1));
        assert!(score("anatole france frejus", "Collège Anatole France Fréjus").is_some());
        assert!(score("frejus anatole", "Collège Anatole France Fréjus").is_some());
        assert!(score("0830001a", "Collège X Fréjus 0830001A").is_some());
    }

    #[test]
    fn short_words_need_no_typo_and_unrelated_words_do_not_match() {
        assert_eq!(score("nic", "Nice"), Some(Score { typos: 0, partial: 1 }));
        assert_eq!(score("nce", "Nice"), None, "no typo allowed in three letters");
        assert_eq!(score("toulon", "Fréjus"), None);
        assert_eq!(score("frejus marseille", "Fréjus"), None, "every typed word must match");
        assert!(PlaceQuery::new("  ,; ").is_none());
        assert_eq!(score("83061", "Fréjus 83062"), None, "codes are typed exactly");
        assert!(score("8306", "Fréjus 83061").is_some(), "a code's start still matches");
    }

    #[test]
    fn exact_ranks_before_typo_and_whole_before_start() {
        let exact = score("nice", "Nice").unwrap();
        let start = score("nice", "Nicemont").unwrap();
        let typo = score("nice", "Nive").unwrap();
        assert!(exact < start && start < typo);
    }
}
