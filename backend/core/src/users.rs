//! Accounts: roles, e-mail addresses and the password policy. Hashing lives in the server (argon2);
//! nothing here ever holds a clear password longer than a check.

use crate::Invalid;

crate::api_enum! {
    /// What an account may do.
    Role, "rôle inconnu" {
        /// A teacher who reports practices.
        Contributor => "contributor",
        /// CARDIE / DANE: validates reports.
        Moderator => "moderator",
        /// A collectivité: reads bandwidth indicators.
        Collectivite => "collectivite",
        Admin => "admin",
    }
}

impl Role {
    /// Whether the role may moderate reports.
    pub fn moderates(self) -> bool {
        matches!(self, Self::Moderator | Self::Admin)
    }

    /// French label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Self::Contributor => "Contributeur",
            Self::Moderator => "Modérateur (CARDIE/DANE)",
            Self::Collectivite => "Collectivité",
            Self::Admin => "Administrateur",
        }
    }
}

/// A normalised (trimmed, lower-case) e-mail address.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` without spaces, at most 254 characters.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim().to_lowercase();
        let err = || {
            Invalid::new(
                "email",
                format!("« {} » n'est pas une adresse électronique", input.trim()),
            )
        };
        if s.len() > 254 || s.chars().any(char::is_whitespace) {
            return Err(err());
        }
        let (local, domain) = s.split_once('@').ok_or_else(err)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(err());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortest and longest accepted passwords, in characters.
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 256;

/// The password policy: long enough to resist guessing, bounded so hashing stays cheap.
pub fn check_password(password: &str) -> Result<(), Invalid> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(Invalid::new(
            "password",
            format!("le mot de passe doit compter au moins {PASSWORD_MIN} caractères"),
        ));
    }
    if n > PASSWORD_MAX {
        return Err(Invalid::new(
            "password",
            format!("le mot de passe doit compter au plus {PASSWORD_MAX} caractères"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Prenom.Nom@AC-Nice.fr ").unwrap().as_str(),
            "prenom.nom@ac-nice.fr"
        );
        for bad in [
            "",
            "nom",
            "nom@",
            "@ac-nice.fr",
            "a b@ac-nice.fr",
            "a@b",
            "a@@b.fr",
            "a@.fr",
            "a@b.fr.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_policy() {
        assert!(check_password("court").is_err());
        assert!(check_password("une phrase de passe assez longue").is_ok());
        assert!(check_password(&"x".repeat(300)).is_err());
    }

    #[test]
    fn only_moderators_and_admins_moderate() {
        assert!(Role::Moderator.moderates() && Role::Admin.moderates());
        assert!(!Role::Contributor.moderates() && !Role::Collectivite.moderates());
    }
}
