//! OPINEE (the digital profile of an establishment: 7 fields, 3 on equipment and 4 on usage, each a level
//! from 0 to 10) and the label ("labellisation", level 1 to 3), per establishment and school year.
//!
//! Both are recorded per school year; the most recent year that has a value is the current one. An
//! establishment may have a label without an OPINEE profile and the reverse.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Invalid, SchoolYear};

crate::api_enum! {
    /// The seven OPINEE fields, equipment first (API values in brackets).
    Field, "champ OPINEE inconnu" {
        /// Terminals: computers, tablets, interactive displays for pupils and staff.
        EquipmentDevices => "equipment_devices",
        /// Network and connectivity inside the establishment (wifi, cabling, access).
        EquipmentNetwork => "equipment_network",
        /// Digital resources and services: ENT, software, online resources.
        EquipmentResources => "equipment_resources",
        /// Teaching with digital tools in class.
        UsageTeaching => "usage_teaching",
        /// Pupils' own use of digital tools, in class and beyond.
        UsagePupils => "usage_pupils",
        /// Staff training in digital practices.
        UsageTraining => "usage_training",
        /// Management and communication with families through digital services.
        UsageCommunication => "usage_communication",
    }
}

impl Field {
    /// French label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Self::EquipmentDevices => "Équipement : terminaux",
            Self::EquipmentNetwork => "Équipement : réseau et connectivité",
            Self::EquipmentResources => "Équipement : ressources et services",
            Self::UsageTeaching => "Usages : pédagogie en classe",
            Self::UsagePupils => "Usages : élèves",
            Self::UsageTraining => "Usages : formation des personnels",
            Self::UsageCommunication => "Usages : vie scolaire et familles",
        }
    }

    /// Whether the field is about equipment (the first three) rather than usage (the last four).
    pub fn is_equipment(self) -> bool {
        matches!(
            self,
            Self::EquipmentDevices | Self::EquipmentNetwork | Self::EquipmentResources
        )
    }
}

/// Highest OPINEE level.
pub const MAX_LEVEL: u8 = 10;
/// Label levels run from 1 to this.
pub const MAX_LABEL: u8 = 3;

/// The seven OPINEE levels of one establishment for one school year, in the order of [`Field::ALL`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Levels([u8; 7]);

impl Levels {
    /// Validates seven levels given in the order of [`Field::ALL`]; each must be 0–10.
    pub fn new(levels: [i64; 7]) -> Result<Self, Invalid> {
        let mut out = [0u8; 7];
        for ((slot, v), f) in out.iter_mut().zip(levels).zip(Field::ALL) {
            *slot = level(f.as_str(), v)?;
        }
        Ok(Self(out))
    }

    /// The level of one field.
    pub fn get(&self, f: Field) -> u8 {
        self.0[f as usize]
    }

    /// Levels with their fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, u8)> + '_ {
        Field::ALL.iter().map(|&f| (f, self.get(f)))
    }

    /// Mean of the three equipment fields.
    pub fn equipment(&self) -> f64 {
        mean(self.iter().filter(|(f, _)| f.is_equipment()).map(|(_, v)| v))
    }

    /// Mean of the four usage fields.
    pub fn usage(&self) -> f64 {
        mean(self.iter().filter(|(f, _)| !f.is_equipment()).map(|(_, v)| v))
    }

    /// Mean of the seven fields.
    pub fn overall(&self) -> f64 {
        mean(self.0.iter().copied())
    }
}

fn mean(values: impl Iterator<Item = u8>) -> f64 {
    let (sum, n) = values.fold((0u32, 0u32), |(s, n), v| (s + u32::from(v), n + 1));
    f64::from(sum) / f64::from(n.max(1))
}

/// Validates one OPINEE level (0–10); `field` names the input in the error.
pub fn level(field: &'static str, v: i64) -> Result<u8, Invalid> {
    u8::try_from(v)
        .ok()
        .filter(|&l| l <= MAX_LEVEL)
        .ok_or_else(|| Invalid::new(field, format!("niveau OPINEE {v} hors de 0 à {MAX_LEVEL}")))
}

/// Validates a label level (1–3).
pub fn label(v: i64) -> Result<u8, Invalid> {
    u8::try_from(v)
        .ok()
        .filter(|&l| (1..=MAX_LABEL).contains(&l))
        .ok_or_else(|| Invalid::new("label", format!("niveau de label {v} hors de 1 à {MAX_LABEL}")))
}

/// What is known of an establishment for one school year: its OPINEE levels and its label, either or both.
#[derive(Clone, PartialEq, Debug)]
pub struct Profile {
    pub school_year: SchoolYear,
    pub levels: Option<Levels>,
    pub label: Option<u8>,
}

impl Profile {
    /// Whether the profile holds nothing (then it is not kept).
    pub fn is_empty(&self) -> bool {
        self.levels.is_none() && self.label.is_none()
    }
}

/// Refuses a school year after the one `today` falls in: a profile describes a year that has begun.
pub fn check_year(year: SchoolYear, today: NaiveDate) -> Result<(), Invalid> {
    let current = SchoolYear::containing(today);
    if year > current {
        return Err(Invalid::new(
            "school_year",
            format!("année scolaire {year} inconnue : elle n'a pas commencé (année en cours : {current})"),
        ));
    }
    Ok(())
}

/// A value with the school year it was recorded for.
pub type Dated<T> = Option<(SchoolYear, T)>;

/// The current OPINEE levels and label of a history: each the latest year that has one.
pub fn current(profiles: &[Profile]) -> (Dated<Levels>, Dated<u8>) {
    let levels = profiles
        .iter()
        .filter_map(|p| p.levels.map(|l| (p.school_year, l)))
        .max_by_key(|(y, _)| *y);
    let label = profiles
        .iter()
        .filter_map(|p| p.label.map(|l| (p.school_year, l)))
        .max_by_key(|(y, _)| *y);
    (levels, label)
}

/// The JSON shape of a profile: `{"school_year", "levels": {field: level} | null, "label": n | null}`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ProfileDto {
    pub school_year: SchoolYear,
    pub levels: Option<BTreeMap<Field, i64>>,
    pub label: Option<i64>,
}

impl From<&Profile> for ProfileDto {
    fn from(p: &Profile) -> Self {
        Self {
            school_year: p.school_year,
            levels: p.levels.map(|l| l.iter().map(|(f, v)| (f, i64::from(v))).collect()),
            label: p.label.map(i64::from),
        }
    }
}

impl ProfileDto {
    /// Validates: all seven levels or none, each 0–10; label 1–3.
    pub fn validate(&self) -> Result<Profile, Invalid> {
        let levels = match &self.levels {
            None => None,
            Some(map) => {
                let mut values = [0i64; 7];
                for (slot, f) in values.iter_mut().zip(Field::ALL) {
                    *slot = *map.get(f).ok_or_else(|| {
                        Invalid::new(
                            "levels",
                            format!("niveau « {} » manquant : les 7 champs OPINEE vont ensemble", f.as_str()),
                        )
                    })?;
                }
                Some(Levels::new(values)?)
            }
        };
        Ok(Profile {
            school_year: self.school_year,
            levels,
            label: self.label.map(label).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(s: &str) -> SchoolYear {
        SchoolYear::parse(s).unwrap()
    }

    #[test]
    fn levels_are_bounded_and_averaged_by_group() {
        let l = Levels::new([3, 6, 9, 0, 10, 5, 5]).unwrap();
        assert_eq!(l.equipment(), 6.0);
        assert_eq!(l.usage(), 5.0);
        assert!((l.overall() - 38.0 / 7.0).abs() < 1e-12);
        assert_eq!(l.get(Field::UsagePupils), 10);
        let e = Levels::new([3, 6, 11, 0, 10, 5, 5]).unwrap_err();
        assert_eq!(e.field, "equipment_resources");
        assert!(Levels::new([-1, 0, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn labels_run_from_one_to_three() {
        assert_eq!(label(1).unwrap(), 1);
        assert_eq!(label(3).unwrap(), 3);
        for bad in [0, 4, -1, 300] {
            assert_eq!(label(bad).unwrap_err().field, "label");
        }
    }

    #[test]
    fn a_year_that_has_not_begun_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert!(check_year(year("2026-2027"), today).is_ok());
        assert!(check_year(year("2019-2020"), today).is_ok());
        assert!(check_year(year("2027-2028"), today).is_err());
    }

    #[test]
    fn current_takes_the_latest_year_of_each() {
        let p = |y: &str, levels: Option<[i64; 7]>, label: Option<u8>| Profile {
            school_year: year(y),
            levels: levels.map(|l| Levels::new(l).unwrap()),
            label,
        };
        let history = [
            p("2023-2024", Some([1; 7]), Some(2)),
            p("2025-2026", None, Some(3)),
            p("2024-2025", Some([4; 7]), None),
        ];
        let (levels, label) = current(&history);
        assert_eq!(levels.unwrap().0, year("2024-2025"));
        assert_eq!(levels.unwrap().1.overall(), 4.0);
        assert_eq!(label, Some((year("2025-2026"), 3)));
        assert_eq!(current(&[]), (None, None));
    }

    #[test]
    fn dto_needs_all_seven_levels() {
        let mut map: BTreeMap<Field, i64> = Field::ALL.iter().map(|&f| (f, 5)).collect();
        let dto = ProfileDto {
            school_year: year("2025-2026"),
            levels: Some(map.clone()),
            label: Some(2),
        };
        let p = dto.validate().unwrap();
        assert_eq!(ProfileDto::from(&p), dto);
        map.remove(&Field::UsageTraining);
        let e = ProfileDto {
            levels: Some(map),
            ..dto.clone()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "levels");
        let e = ProfileDto { label: Some(4), ..dto }.validate().unwrap_err();
        assert_eq!(e.field, "label");
    }
}
