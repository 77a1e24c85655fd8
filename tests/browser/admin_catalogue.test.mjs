// The INPS administrator's "Gestione del catalogo": a new service, a new sportello and its
// weekly hours, a closure through the pages, and a CSV import checked by a dry run that reports the bad
// lines and saves nothing — each page state checked at three sizes with axe.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ACCOUNTS, artifactsDir, assertNoProblems, checkLayouts, LONG, login, useServerAndBrowser, withPages } from './fixtures.mjs';

describe('catalogue administration', () => {
  const t = useServerAndBrowser();

  test('the INPS administrator adds a service, a sportello with its hours, and checks a CSV file', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await login(page, ACCOUNTS.inpsAdmin);
      await page.getByRole('link', { name: 'Gestione del catalogo' }).click();
      await page.getByRole('heading', { name: 'Gestione del catalogo', level: 1 }).waitFor({ timeout: LONG });
      await checkLayouts(page, 'catalogue');

      // A service.
      await page.getByLabel('Codice del servizio').fill('patronato');
      await page.getByLabel('Nome del servizio').fill('Patronato');
      await page.getByRole('button', { name: 'Salva il servizio' }).click();
      await page.locator('#catalogue-notice', { hasText: 'Servizio patronato creato.' }).waitFor({ timeout: LONG });
      assert.equal(await page.locator('#services-title ~ div table td code', { hasText: 'patronato' }).count(), 1);

      // A bad input is explained in Italian.
      await page.getByLabel('Codice dello sportello').fill('sassari-9');
      await page.getByLabel('Nome dello sportello').fill('Sportello nove');
      await page.getByLabel('Durata di un appuntamento (minuti)').fill('300');
      await page.getByRole('button', { name: 'Salva lo sportello' }).click();
      await page.locator('#sportello-outcome [role=alert]', { hasText: 'da 5 a 240 minuti' }).waitFor({ timeout: LONG });

      // A sportello of the Sede di Sassari for the new service.
      await page.getByLabel('Durata di un appuntamento (minuti)').fill('20');
      await page.locator('#sportello-sede').selectOption('sede-sassari');
      await page.locator('#sportello-services label', { hasText: 'Patronato' }).click();
      await page.getByRole('button', { name: 'Salva lo sportello' }).click();
      await page.locator('#catalogue-notice', { hasText: 'Sportello sassari-9 creato' }).waitFor({ timeout: LONG });

      // Its hours (its panel is open, with the outcome): two intervals on Monday, one on
      // Wednesday; first a wrong one.
      const details = page.locator('#sportello-sassari-9');
      assert.equal(await details.getByRole('button', { name: /^Sportello nove/ }).getAttribute('aria-expanded'), 'true');
      await details.getByLabel('Lunedì').fill('08:30-12:00, 14:30');
      await details.getByRole('button', { name: 'Salva gli orari' }).click();
      await details.getByText('Scriva le fasce come 08:30-12:00').waitFor({ timeout: LONG });
      await details.getByLabel('Lunedì').fill('08:30-12:00, 14:30-16:00');
      await details.getByLabel('Mercoledì').fill('09:00-11:00, 10:30-12:00');
      await details.getByRole('button', { name: 'Salva gli orari' }).click();
      await details.locator('[role=alert]', { hasText: 'si sovrappongono' }).waitFor({ timeout: LONG });
      await details.getByLabel('Mercoledì').fill('09:00-11:00');
      await details.getByRole('button', { name: 'Salva gli orari' }).click();
      await page.locator('#catalogue-notice', { hasText: 'Orari di Sportello nove salvati.' }).waitFor({ timeout: LONG });
      const hours = await page.evaluate(async () => {
        const sedi = await (await fetch('/v1/booking/sedi')).json();
        const s = sedi.flatMap((x) => x.sportelli).find((p) => p.id === 'sassari-9');
        return s.opening_hours.map((o) => `${o.weekday} ${o.opens}-${o.closes}`);
      });
      assert.deepEqual(hours, ['1 08:30-12:00', '1 14:30-16:00', '3 09:00-11:00']);

      // An extraordinary closure of the Sede di Sassari.
      await page.getByRole('button', { name: 'Competenza e chiusure – Sede provinciale di Sassari' }).click();
      const sassari = page.locator('#competence-sede-sassari-box');
      await sassari.getByLabel('Chiusa dal').fill('2026-12-28');
      await sassari.getByLabel('Chiusa fino al (compreso)').fill('2026-12-30');
      await sassari.getByRole('button', { name: 'Registra la chiusura' }).click();
      await sassari.locator('[role=alert]', { hasText: 'Scriva il motivo' }).waitFor({ timeout: LONG });
      await sassari.getByLabel('Motivo').fill('Inventario di fine anno');
      await sassari.getByRole('button', { name: 'Registra la chiusura' }).click();
      await page.locator('#catalogue-notice', { hasText: 'Chiusura di Sede provinciale di Sassari registrata.' }).waitFor({ timeout: LONG });

      // A CSV file of comuni with one bad line: the dry run lists it and saves nothing.
      const csv = join(artifactsDir, 'comuni-prova.csv');
      writeFileSync(csv, 'istat,name,province,region,population,belfiore\n'
        + '091901,Primo,NU,Sardegna,100,Z801\n'
        + '91902,Secondo,NU,Sardegna,200,Z802\n'
        + '091903,Terzo,NU,Sardegna,300,L989\n');
      await page.getByLabel('Che cosa contiene il file').selectOption('comuni');
      await page.setInputFiles('#import-file', csv);
      await page.getByRole('button', { name: 'Verifica il file (senza salvare)' }).click();
      const report = page.locator('#import-report');
      await report.getByRole('heading', { name: /Prova/ }).waitFor({ timeout: LONG });
      const rows = await report.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.innerText.replace(/\s+/g, ' ').trim()));
      assert.equal(rows.length, 2, rows.join('\n'));
      assert.match(rows[0], /^3 .*ISTAT/);
      assert.match(rows[1], /^4 .*catastale/);
      assert.match(await report.innerText(), /Righe lette: 3\. Nuove: 1\./);
      await checkLayouts(page, 'catalogue-import');
      const found = () => page.evaluate(async () => (await (await fetch('/v1/catalogue/comuni?q=primo')).json()).comuni.length);
      assert.equal(await found(), 0, 'the dry run saved nothing');

      // The corrected file is imported; its report stays on the redrawn page.
      writeFileSync(csv, 'istat,name,province,region,population,belfiore\n'
        + '091901,Primo,NU,Sardegna,100,Z801\n'
        + '091902,Secondo,NU,Sardegna,200,Z802\n');
      await page.setInputFiles('#import-file', csv);
      await page.getByRole('button', { name: 'Importa', exact: true }).click();
      await page.locator('#catalogue-notice', { hasText: 'Importazione eseguita: 2 nuovi, 0 modificati.' }).waitFor({ timeout: LONG });
      await page.locator('#import-report').getByRole('heading', { name: 'Importazione eseguita' }).waitFor({ timeout: LONG });
      assert.equal(await found(), 1);
      assertNoProblems(page);
    });
  });
});
