//! The UAI (Unité administrative immatriculée), the national key of an establishment: seven digits and a
//! check letter equal to `"ABCDEFGHJKLMNPRSTUVWXYZ"[digits % 23]` (e.g. `0060842H`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Invalid;

const CHECK_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

/// A UAI whose check letter has been verified; always stored upper-case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uai([u8; 8]);

impl Uai {
    /// Parses a UAI, accepting surrounding spaces and a lower-case letter.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        let bytes = s.as_bytes();
        if bytes.len() != 8 || !bytes[..7].iter().all(u8::is_ascii_digit) || !bytes[7].is_ascii_alphabetic() {
            return Err(Invalid::new(
                "uai",
                format!("« {s} » n'est pas un UAI (7 chiffres suivis d'une lettre)"),
            ));
        }
        let digits: u32 = s[..7].parse().map_err(|_| Invalid::new("uai", "UAI illisible"))?;
        let expected = CHECK_LETTERS[(digits % 23) as usize];
        let letter = bytes[7].to_ascii_uppercase();
        if letter != expected {
            return Err(Invalid::new(
                "uai",
                format!(
                    "UAI « {s} » invalide : la lettre de contrôle devrait être {}",
                    expected as char
                ),
            ));
        }
        let mut out = [0u8; 8];
        out[..7].copy_from_slice(&bytes[..7]);
        out[7] = letter;
        Ok(Self(out))
    }

    /// The UAI as text, e.g. `0060842H`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and an ASCII letter are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The département code the UAI was registered in (`006` → `06`, `083` → `83`, `620` → `62`).
    /// Corsica and overseas use other schemes, so this is only a hint; the establishment's own
    /// département field is authoritative.
    pub fn departement_hint(&self) -> &str {
        let s = self.as_str();
        if s.starts_with('0') { &s[1..3] } else { &s[0..3] }
    }
}

impl fmt::Display for Uai {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uai {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uai({})", self.as_str())
    }
}

impl FromStr for Uai {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Uai {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Uai {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Uai::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_fab_ecole_colleges() {
        assert_eq!(Uai::parse("0060842H").unwrap().as_str(), "0060842H");
        assert_eq!(Uai::parse("0830148K").unwrap().as_str(), "0830148K");
    }

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(Uai::parse(" 0060842h ").unwrap().as_str(), "0060842H");
    }

    #[test]
    fn rejects_a_wrong_check_letter_and_names_the_right_one() {
        let err = Uai::parse("0060842J").unwrap_err();
        assert_eq!(err.field, "uai");
        assert!(err.message.contains("devrait être H"), "{}", err.message);
    }

    #[test]
    fn rejects_malformed_values() {
        for bad in [
            "",
            "006084H",
            "00608421",
            "0060842HH",
            "A060842H",
            "0060842-",
            "００６０８４２Ｈ",
        ] {
            assert!(Uai::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn check_letter_matches_the_formula_for_every_remainder() {
        // Build one UAI per remainder and check both acceptance and rejection of a neighbour letter.
        for n in 0u32..23 {
            let digits = 1_000_000 + n;
            let letter = CHECK_LETTERS[(digits % 23) as usize] as char;
            let good = format!("{digits:07}{letter}");
            assert!(Uai::parse(&good).is_ok(), "{good}");
            let other = CHECK_LETTERS[((digits + 1) % 23) as usize] as char;
            assert!(Uai::parse(&format!("{digits:07}{other}")).is_err());
        }
    }

    #[test]
    fn departement_hint() {
        assert_eq!(Uai::parse("0060842H").unwrap().departement_hint(), "06");
        assert_eq!(Uai::parse("0830148K").unwrap().departement_hint(), "83");
    }
}
