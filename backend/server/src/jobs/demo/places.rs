//! Communes of the académie used by the demo dataset: INSEE code, name, département, an approximate
//! centre written by hand (lon, lat in degrees), a size weight (how many establishments) and whether
//! the commune is in the back country, where bandwidth is poorer.

/// A commune of the demo dataset.
pub struct Place {
    pub code: &'static str,
    pub name: &'static str,
    pub departement: &'static str,
    pub lon: f64,
    pub lat: f64,
    /// 1 (village) to 10 (Nice, Toulon).
    pub weight: u32,
    pub back_country: bool,
}

const fn p(
    code: &'static str,
    name: &'static str,
    departement: &'static str,
    lon: f64,
    lat: f64,
    weight: u32,
    back_country: bool,
) -> Place {
    Place {
        code,
        name,
        departement,
        lon,
        lat,
        weight,
        back_country,
    }
}

pub const PLACES: &[Place] = &[
    p("06088", "Nice", "06", 7.262, 43.710, 10, false),
    p("06004", "Antibes", "06", 7.118, 43.585, 5, false),
    p("06029", "Cannes", "06", 7.013, 43.553, 5, false),
    p("06069", "Grasse", "06", 6.923, 43.659, 4, false),
    p("06027", "Cagnes-sur-Mer", "06", 7.149, 43.664, 3, false),
    p("06083", "Menton", "06", 7.497, 43.775, 3, false),
    p("06030", "Le Cannet", "06", 7.019, 43.577, 2, false),
    p("06123", "Saint-Laurent-du-Var", "06", 7.190, 43.673, 2, false),
    p("06155", "Vallauris", "06", 7.054, 43.578, 2, false),
    p("06079", "Mandelieu-la-Napoule", "06", 6.938, 43.546, 2, false),
    p("06085", "Mougins", "06", 6.995, 43.600, 2, false),
    p("06157", "Vence", "06", 7.112, 43.722, 2, false),
    p("06033", "Carros", "06", 7.187, 43.789, 2, false),
    p("06152", "Valbonne", "06", 7.009, 43.641, 2, false),
    p("06012", "Beausoleil", "06", 7.423, 43.742, 1, false),
    p("06161", "Villeneuve-Loubet", "06", 7.122, 43.658, 1, false),
    p("06149", "La Trinité", "06", 7.314, 43.741, 1, false),
    p("06048", "Contes", "06", 7.314, 43.811, 1, true),
    p("06099", "Puget-Théniers", "06", 6.894, 43.955, 1, true),
    p("06127", "Saint-Martin-Vésubie", "06", 7.256, 44.069, 1, true),
    p("06163", "Tende", "06", 7.594, 44.087, 1, true),
    p("06023", "Breil-sur-Roya", "06", 7.515, 43.938, 1, true),
    p("06136", "Sospel", "06", 7.449, 43.877, 1, true),
    p("06120", "Saint-Étienne-de-Tinée", "06", 6.924, 44.256, 1, true),
    p("06103", "Roquebillière", "06", 7.306, 44.012, 1, true),
    p("83137", "Toulon", "83", 5.930, 43.125, 9, false),
    p("83126", "La Seyne-sur-Mer", "83", 5.883, 43.101, 4, false),
    p("83069", "Hyères", "83", 6.128, 43.120, 4, false),
    p("83061", "Fréjus", "83", 6.737, 43.433, 3, false),
    p("83050", "Draguignan", "83", 6.464, 43.537, 3, false),
    p("83118", "Saint-Raphaël", "83", 6.768, 43.425, 3, false),
    p("83129", "Six-Fours-les-Plages", "83", 5.840, 43.094, 2, false),
    p("83062", "La Garde", "83", 6.011, 43.124, 2, false),
    p("83023", "Brignoles", "83", 6.061, 43.406, 2, false),
    p("83123", "Sanary-sur-Mer", "83", 5.801, 43.119, 1, false),
    p("83116", "Saint-Maximin-la-Sainte-Baume", "83", 5.862, 43.453, 2, false),
    p("83144", "La Valette-du-Var", "83", 6.031, 43.137, 2, false),
    p("83073", "Le Luc", "83", 6.313, 43.394, 1, false),
    p("83115", "Sainte-Maxime", "83", 6.636, 43.309, 1, false),
    p("83119", "Saint-Tropez", "83", 6.640, 43.270, 1, false),
    p("83086", "Le Muy", "83", 6.566, 43.473, 1, false),
    p("83072", "Lorgues", "83", 6.361, 43.493, 1, true),
    p("83042", "Cogolin", "83", 6.535, 43.252, 1, false),
    p("83007", "Aups", "83", 6.224, 43.628, 1, true),
    p("83012", "Barjols", "83", 6.008, 43.558, 1, true),
    p("83044", "Comps-sur-Artuby", "83", 6.502, 43.708, 1, true),
    p("83009", "Bandol", "83", 5.753, 43.136, 1, false),
    p("83090", "Ollioules", "83", 5.848, 43.140, 1, false),
    p("83047", "La Crau", "83", 6.075, 43.150, 1, false),
    p("83112", "Saint-Cyr-sur-Mer", "83", 5.709, 43.183, 1, false),
    p("83148", "Vidauban", "83", 6.432, 43.427, 1, true),
];

/// Looks a commune up by INSEE code.
pub fn by_code(code: &str) -> Option<&'static Place> {
    PLACES.iter().find(|p| p.code == code)
}
