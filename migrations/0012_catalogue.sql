-- Catalogue administration (issue 17): a PUE convention is valid from one day to another.
-- Both ends are optional ('YYYY-MM-DD', inclusive): the conventions made before this migration
-- keep NULL dates and stay valid on every day.
ALTER TABLE pue_conventions ADD COLUMN valid_from TEXT NULL;
ALTER TABLE pue_conventions ADD COLUMN valid_until TEXT NULL;
