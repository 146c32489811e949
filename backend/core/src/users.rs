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
        /// Chef d'établissement or adjoint, bound to one or more establishments (UAI): files intentions.
        Encadrement => "encadrement",
        /// IA-IPR or IEN (disciplines or a circonscription): files intentions.
        Inspecteur => "inspecteur",
        /// RRUPN, IAN or ERUN: files intentions, analyses and answers the dossiers assigned to them.
        Referent => "referent",
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
            Self::Encadrement => "Encadrement (chef d'établissement, adjoint)",
            Self::Inspecteur => "Inspecteur (IA-IPR, IEN)",
            Self::Referent => "Référent numérique (RRUPN, IAN, ERUN)",
        }
    }
}

crate::api_enum! {
    /// Where an account stands.
    AccountStatus, "statut de compte inconnu" {
        /// Signs in and works.
        Active => "active",
        /// Invited: waits for its holder to set a password or sign in through the identity provider.
        Invited => "invited",
        /// Switched off by an admin: every session refused, its reports kept.
        Deactivated => "deactivated",
    }
}

impl AccountStatus {
    /// French label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Actif",
            Self::Invited => "Invité",
            Self::Deactivated => "Désactivé",
        }
    }
}

crate::api_enum! {
    /// How often a moderator hears of new submissions.
    Frequency, "fréquence inconnue" {
        /// One e-mail per submission.
        Immediate => "immediate",
        /// One digest a day at most.
        Daily => "daily",
        /// Never (the inbox only).
        Never => "never",
    }
}

/// What a person wants to be told by e-mail. Invitations, password resets and the like are always sent;
/// these are the others, each of which carries a one-click unsubscribe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Moderators: new reports waiting (at once, daily digest, never).
    pub submissions: Frequency,
    /// Authors: their report published or rejected.
    pub decisions: bool,
    /// A colleague wrote about one of their reports (or replied).
    pub messages: bool,
    /// Someone linked a project to one of their reports.
    pub links: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            submissions: Frequency::Immediate,
            decisions: true,
            messages: true,
            links: true,
        }
    }
}

crate::api_enum! {
    /// A kind of e-mail that a person may stop receiving (the `kind` of a one-click unsubscribe).
    Topic, "type de message inconnu" {
        Submissions => "submissions",
        Decisions => "decisions",
        Messages => "messages",
        Links => "links",
    }
}

impl Preferences {
    /// Whether `topic` is wanted at all.
    pub fn wants(&self, topic: Topic) -> bool {
        match topic {
            Topic::Submissions => self.submissions != Frequency::Never,
            Topic::Decisions => self.decisions,
            Topic::Messages => self.messages,
            Topic::Links => self.links,
        }
    }

    /// The same preferences with `topic` switched off.
    pub fn without(mut self, topic: Topic) -> Self {
        match topic {
            Topic::Submissions => self.submissions = Frequency::Never,
            Topic::Decisions => self.decisions = false,
            Topic::Messages => self.messages = false,
            Topic::Links => self.links = false,
        }
        self
    }
}

/// Parses a comma-separated list of e-mail domains (`ac-nice.fr, education.gouv.fr`), lower-cased.
pub fn parse_domains(list: &str) -> Result<Vec<String>, Invalid> {
    let mut out = Vec::new();
    for d in list.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let d = d.trim_start_matches('@').to_lowercase();
        let ok = d.contains('.')
            && !d.starts_with('.')
            && !d.ends_with('.')
            && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !ok {
            return Err(Invalid::new("domains", format!("« {d} » n'est pas un nom de domaine")));
        }
        out.push(d);
    }
    Ok(out)
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

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// Whether the address belongs to one of `domains` (exactly, or a sub-domain of one).
    pub fn in_domains(&self, domains: &[String]) -> bool {
        let d = self.domain();
        domains
            .iter()
            .any(|allowed| d == allowed || d.strip_suffix(allowed.as_str()).is_some_and(|p| p.ends_with('.')))
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
    // Long is not enough (`aaaaaaaaaaaa`, `azertyuiop12`): an estimate of the guesses it would take.
    if zxcvbn::zxcvbn(password, &[]).score() < zxcvbn::Score::Three {
        return Err(Invalid::new(
            "password",
            "ce mot de passe se devine trop facilement : préférez une phrase de plusieurs mots sans rapport entre eux",
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
    fn domains_match_exactly_or_as_parents() {
        let allowed = parse_domains(" ac-nice.fr, @Education.gouv.fr ").unwrap();
        assert_eq!(allowed, ["ac-nice.fr", "education.gouv.fr"]);
        assert!(Email::parse("a@ac-nice.fr").unwrap().in_domains(&allowed));
        assert!(Email::parse("a@dane.ac-nice.fr").unwrap().in_domains(&allowed));
        assert!(!Email::parse("a@evilac-nice.fr").unwrap().in_domains(&allowed));
        assert!(!Email::parse("a@ac-nice.fr.evil.com").unwrap().in_domains(&allowed));
        assert!(parse_domains("ac nice").is_err());
    }

    #[test]
    fn preferences_default_to_everything_and_switch_off_one_topic() {
        let p: Preferences = serde_json::from_str("{}").unwrap();
        assert!(Topic::ALL.iter().all(|t| p.wants(*t)));
        let q = p.without(Topic::Links);
        assert!(!q.wants(Topic::Links) && q.wants(Topic::Messages));
        assert_eq!(p.without(Topic::Submissions).submissions, Frequency::Never);
    }

    #[test]
    fn password_policy() {
        assert!(check_password("court").is_err());
        assert!(check_password("une phrase de passe assez longue").is_ok());
        for guessable in ["aaaaaaaaaaaa", "azertyuiop12", "motdepasse123", "123456789012"] {
            assert!(check_password(guessable).is_err(), "{guessable}");
        }
        assert!(check_password(&"x".repeat(300)).is_err());
    }

    #[test]
    fn only_moderators_and_admins_moderate() {
        assert!(Role::Moderator.moderates() && Role::Admin.moderates());
        assert!(!Role::Contributor.moderates() && !Role::Collectivite.moderates());
    }
}
