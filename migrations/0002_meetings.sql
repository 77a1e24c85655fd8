-- Meeting day: the video meeting of an appointment, opened by the comune operator ("Apri meeting").
-- The room id is random (128 bits), set once, never derived from anything guessable; NULL until
-- the meeting is opened. Portable: a plain nullable column for SQLite and PostgreSQL alike.

ALTER TABLE reservations ADD COLUMN meeting_room TEXT NULL;
ALTER TABLE reservations ADD COLUMN meeting_opened_at BIGINT NULL;
