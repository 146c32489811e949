//! Who may do what with intentions: one table, read by the server for every request, printed in the
//! README and tested as a matrix. A person may act when their role is listed for the action, or when
//! they stand in a listed relation to the dossier (they filed it, or it is assigned to them).

use crate::users::Role;

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// File a new intention.
    File,
    /// Read a dossier and its timeline.
    Read,
    /// Write a message on a dossier.
    Comment,
    /// Complete the next step with a written answer (closing included).
    Complete,
    /// Move a step's due date, with a reason.
    Replan,
    /// Assign a referent (one dossier or many).
    Assign,
    /// Link the practices reported after a realised intention.
    LinkPractices,
    /// The DANE's desk: every dossier, the indicators, their CSV, the private map layer.
    Desk,
    /// Configure the procedure (delays, school holidays, DANE lead).
    Configure,
}

/// How the person stands to the dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// They filed it.
    Filer,
    /// It is assigned to them.
    Referent,
}

use Role::{Admin, Encadrement, Inspecteur, Moderator, Referent as ReferentRole};

/// The table: action → roles allowed on every dossier → relations allowed on that dossier.
pub const MATRIX: &[(Action, &[Role], &[Relation])] = &[
    (Action::File, &[Encadrement, Inspecteur, ReferentRole], &[]),
    (
        Action::Read,
        &[Moderator, Admin],
        &[Relation::Filer, Relation::Referent],
    ),
    (
        Action::Comment,
        &[Moderator, Admin],
        &[Relation::Filer, Relation::Referent],
    ),
    (Action::Complete, &[Moderator, Admin], &[Relation::Referent]),
    (Action::Replan, &[Moderator, Admin], &[Relation::Referent]),
    (Action::Assign, &[Moderator, Admin], &[]),
    (Action::LinkPractices, &[Moderator, Admin], &[Relation::Referent]),
    (Action::Desk, &[Moderator, Admin], &[]),
    (Action::Configure, &[Admin], &[]),
];

/// Whether `role`, standing in `relations` to the dossier, may do `action`.
pub fn may(role: Role, relations: &[Relation], action: Action) -> bool {
    MATRIX
        .iter()
        .any(|(a, roles, rels)| *a == action && (roles.contains(&role) || relations.iter().any(|r| rels.contains(r))))
}

/// Roles a dossier may be assigned to.
pub fn may_be_assigned(role: Role) -> bool {
    matches!(role, ReferentRole | Moderator | Admin)
}

/// Roles that see the intentions pages at all.
pub fn takes_part(role: Role) -> bool {
    may(role, &[], Action::File) || may(role, &[], Action::Desk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_the_table_once() {
        for a in [
            Action::File,
            Action::Read,
            Action::Comment,
            Action::Complete,
            Action::Replan,
            Action::Assign,
            Action::LinkPractices,
            Action::Desk,
            Action::Configure,
        ] {
            assert_eq!(MATRIX.iter().filter(|(x, _, _)| *x == a).count(), 1, "{a:?}");
        }
    }

    #[test]
    fn filers_read_their_own_dossier_but_never_answer_it() {
        assert!(may(Encadrement, &[Relation::Filer], Action::Read));
        assert!(!may(Encadrement, &[], Action::Read));
        assert!(!may(Encadrement, &[Relation::Filer], Action::Complete));
        assert!(may(ReferentRole, &[Relation::Referent], Action::Complete));
        assert!(!may(ReferentRole, &[], Action::Complete));
        assert!(!may(Role::Contributor, &[], Action::File));
        assert!(!may(Role::Collectivite, &[], Action::Desk));
        assert!(may(Admin, &[], Action::Configure) && !may(Moderator, &[], Action::Configure));
    }
}
