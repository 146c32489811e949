-- OPINEE and labels: per establishment and school year, the seven OPINEE levels (0-10; all seven or
-- none) and the label level (1-3); a row holds at least one of the two.
CREATE TABLE opinee (
    uai                 TEXT NOT NULL REFERENCES establishments (uai) ON DELETE CASCADE,
    school_year         TEXT NOT NULL,
    equipment_devices   INTEGER CHECK (equipment_devices BETWEEN 0 AND 10),
    equipment_network   INTEGER CHECK (equipment_network BETWEEN 0 AND 10),
    equipment_resources INTEGER CHECK (equipment_resources BETWEEN 0 AND 10),
    usage_teaching      INTEGER CHECK (usage_teaching BETWEEN 0 AND 10),
    usage_pupils        INTEGER CHECK (usage_pupils BETWEEN 0 AND 10),
    usage_training      INTEGER CHECK (usage_training BETWEEN 0 AND 10),
    usage_communication INTEGER CHECK (usage_communication BETWEEN 0 AND 10),
    label               INTEGER CHECK (label BETWEEN 1 AND 3),
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (uai, school_year),
    CHECK ((equipment_devices IS NULL) = (equipment_network IS NULL)
       AND (equipment_devices IS NULL) = (equipment_resources IS NULL)
       AND (equipment_devices IS NULL) = (usage_teaching IS NULL)
       AND (equipment_devices IS NULL) = (usage_pupils IS NULL)
       AND (equipment_devices IS NULL) = (usage_training IS NULL)
       AND (equipment_devices IS NULL) = (usage_communication IS NULL)),
    CHECK (equipment_devices IS NOT NULL OR label IS NOT NULL)
);

-- Which EPCI (intercommunalité) each commune belongs to, from the official list (repere import epci).
CREATE TABLE epci_communes (
    commune_code TEXT PRIMARY KEY,
    epci_code    TEXT NOT NULL,
    epci_name    TEXT NOT NULL
);

-- 1 when the importer placed the establishment at its commune because the official file gave no position.
ALTER TABLE establishments ADD COLUMN placed_at_commune INTEGER NOT NULL DEFAULT 0 CHECK (placed_at_commune IN (0, 1));
