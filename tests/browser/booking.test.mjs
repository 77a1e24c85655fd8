// Booking from the browser: demo login → operator home → "Prenota appuntamento" → the wizard from
// an empty form to "Appuntamento confermato" → the new card on the home; the official sees it on
// the agenda. Screenshots of every step, axe-core on the wizard pages, no CSP violation.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, axeViolations, choose, confirmSigned, fillToSede, fillToSummary, login, screenshot, tick, useServerAndBrowser,
  withPages,
} from './fixtures.mjs';

/** A full-page screenshot `booking-<name>.png` in the artifacts. */
function shot(page, name) {
  return screenshot(page, `booking-${name}`, { fullPage: true });
}

/** Whether `startsAt` is offered as free at sportello `id`, asked from `page`'s session. */
function isFree(page, id, startsAt) {
  return page.evaluate(async ([sp, at]) => {
    const day = at.slice(0, 10);
    const r = await fetch(`/v1/booking/sportelli/${sp}/slots?from=${day}&to=${day}`);
    return (await r.json()).slots.some((s) => s.starts_at === at);
  }, [id, startsAt]);
}

describe('booking', () => {
  const t = useServerAndBrowser();

  test('the operator books from an empty form; the card appears on the home; the official sees it', async () => {
    await withPages(t.browser, t.server.url, 2, async (page, official) => {
      // Login page.
      await page.goto('/operatore');
      await page.getByRole('heading', { name: 'Accesso' }).waitFor();
      assert.match(page.url(), /\/accesso\?torna=%2Foperatore$/);
      await shot(page, '01-login');
      assert.deepEqual(await axeViolations(page), []);
      await page.getByRole('button', { name: 'Accedi con il profilo scelto' }).click();
      await page.getByRole('alert').getByText('Scelga un profilo').waitFor();
      await choose(page, ACCOUNTS.operator.label);
      await page.getByRole('button', { name: 'Accedi con il profilo scelto' }).click();

      // Operator home.
      await page.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor();
      await page.getByText('Operatore del Comune di Villanova Monteleone').waitFor();
      await page.getByText('Oggi non ci sono appuntamenti.').waitFor();
      await shot(page, '02-home-empty');
      assert.deepEqual(await axeViolations(page), []);

      // Step 1: richiedente, from an empty form.
      await page.getByRole('link', { name: 'Prenota appuntamento' }).click();
      await page.getByText('Passo 1 di 6').waitFor();
      assert.equal(new URL(page.url()).pathname, '/operatore/prenota');
      assert.equal(await page.locator('#wizard-step').getAttribute('aria-live'), 'polite');
      await page.getByRole('button', { name: 'Avanti' }).click();
      const summary = page.locator('.error-summary');
      await summary.waitFor();
      await summary.getByText('Scriva il nome del richiedente.').waitFor();
      await summary.getByText('Scriva il codice fiscale.').waitFor();
      await shot(page, '03-richiedente-empty-errors');
      assert.deepEqual(await axeViolations(page), []);

      await page.getByLabel('Nome', { exact: true }).fill('Maria');
      await page.getByLabel('Cognome', { exact: true }).fill('Bianchi');
      // A wrong check character first: the Italian error is shown, the wizard stays on step 1.
      await page.getByLabel('Codice fiscale', { exact: true }).fill('bncmra52e45i452x');
      assert.equal(await page.getByLabel('Codice fiscale', { exact: true }).inputValue(), 'BNCMRA52E45I452X');
      await page.getByRole('button', { name: 'Avanti' }).click();
      const cfError = page.locator('#codice-fiscale-error');
      await cfError.getByText('l’ultimo carattere (carattere di controllo) non corrisponde').waitFor();
      assert.equal(await page.getByLabel('Codice fiscale', { exact: true }).getAttribute('aria-invalid'), 'true');
      await page.getByText('Passo 1 di 6').waitFor();
      await shot(page, '04-richiedente-cf-error');

      // The right code fills birth date, sex and birthplace (born in Sassari, I452).
      await page.getByLabel('Codice fiscale', { exact: true }).fill('BNCMRA52E45I452C');
      await page.getByLabel('Codice fiscale', { exact: true }).blur();
      assert.equal(await page.getByLabel('Data di nascita').inputValue(), '05/05/1952');
      const birthPlace = page.getByLabel('Luogo di nascita (codice catastale)');
      assert.equal(await birthPlace.inputValue(), 'I452');
      assert.equal(await page.locator('#sex-0').isChecked(), true, 'Femminile');
      // Under the field, the name of the comune or foreign country of the code (from the bundled
      // ISTAT list, loaded on demand), read with the field (aria-describedby), live.
      const placeName = page.locator('#birth-place-name');
      await placeName.filter({ hasText: /^Sassari \(SS\)$/ }).waitFor();
      assert.equal(await placeName.getAttribute('aria-live'), 'polite');
      assert.ok((await birthPlace.getAttribute('aria-describedby')).split(' ').includes('birth-place-name'));
      // As the operator types a code: nothing before the 4th character, then the name, or a note
      // (not an error) for a code the list does not have.
      await birthPlace.fill('');
      await birthPlace.pressSequentially('z40');
      assert.equal(await birthPlace.inputValue(), 'Z40');
      assert.equal(await placeName.textContent(), '', 'no note for 3 characters');
      await birthPlace.pressSequentially('4');
      await placeName.filter({ hasText: /^Stati Uniti d'America$/ }).waitFor();
      await birthPlace.fill('Z999');
      await placeName.filter({ hasText: 'Codice non trovato nell’elenco dei comuni e degli Stati esteri' }).waitFor();
      assert.equal(await birthPlace.getAttribute('aria-invalid'), null, 'a note, not an error');
      await birthPlace.fill('');
      await birthPlace.pressSequentially('i452');
      await placeName.filter({ hasText: /^Sassari \(SS\)$/ }).waitFor();
      await page.getByLabel('Telefono').fill('079 123456');
      // The delegate section opens and closes.
      await tick(page, 'Il richiedente è rappresentato da un delegato');
      await page.getByLabel('Nome del delegato', { exact: true }).waitFor();
      await shot(page, '05-richiedente-delegate-open');
      await tick(page, 'Il richiedente è rappresentato da un delegato');
      // Residence in another comune: searched by name, chosen in the list.
      await choose(page, 'Un altro comune');
      await page.getByRole('button', { name: 'Avanti' }).click();
      await page.locator('.error-summary').getByText('Scriva il nome del comune di residenza e lo scelga nell’elenco.').waitFor();
      await page.getByLabel('Nome del comune di residenza').fill('alg');
      await page.getByText('Trovato 1 comune.').waitFor();
      await page.getByLabel('Comune trovato').selectOption({ label: 'Alghero (SS)' });
      await shot(page, '06-richiedente-filled');
      await page.getByRole('button', { name: 'Avanti' }).click();

      // Step 2: servizio.
      await page.getByText('Passo 2 di 6').waitFor();
      await page.getByRole('button', { name: 'Avanti' }).click();
      await page.locator('.error-summary').getByText('Scelga almeno un servizio.').waitFor();
      await tick(page, 'Assegno Unico e Universale');
      await shot(page, '07-servizio');
      assert.deepEqual(await axeViolations(page), []);
      await page.getByRole('button', { name: 'Avanti' }).click();

      // Step 3: sede e sportello (territorial Sede and Polo nazionale).
      await page.getByText('Passo 3 di 6').waitFor();
      await page.getByText('Sede competente per il territorio del Comune', { exact: false }).first().waitFor();
      await page.getByText('Polo nazionale competente per il servizio', { exact: false }).first().waitFor();
      await shot(page, '08-sede');
      assert.deepEqual(await axeViolations(page), []);
      await page.locator('label', { hasText: 'Sportello 2 - Famiglia e lavoro' }).click();
      await page.getByRole('button', { name: 'Avanti' }).click();

      // Step 4: data e ora.
      await page.getByText('Passo 4 di 6').waitFor();
      await page.locator('.slot-list label').first().waitFor();
      const day = await page.getByLabel('Giorno dell’appuntamento').inputValue();
      assert.match(day, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(await page.getByLabel('Giorno dell’appuntamento').getAttribute('min'));
      assert.ok(await page.getByLabel('Giorno dell’appuntamento').getAttribute('max'));
      await page.getByRole('button', { name: 'Avanti' }).click();
      await page.locator('.error-summary').getByText('Scelga un orario tra quelli liberi.').waitFor();
      const slotLabel = (await page.locator('.slot-list label').first().textContent()).trim();
      await page.locator('.slot-list label').first().click();
      await shot(page, '09-data-ora');
      assert.deepEqual(await axeViolations(page), []);
      await page.getByRole('button', { name: 'Avanti' }).click();

      // Step 5: riepilogo with the countdown of the hold.
      await page.getByText('Passo 5 di 6').waitFor();
      await page.getByRole('heading', { name: 'Verifica dei dati' }).waitFor();
      const clock = page.getByRole('timer');
      await clock.waitFor();
      const first = (await clock.textContent()).trim();
      assert.match(first, /^[45]:\d\d minuti$/);
      await page.locator('.summary').getByText('BNCMRA52E45I452C').waitFor();
      await page.locator('.summary').getByText('Alghero (SS)').waitFor();
      // The birthplace with its name, already there when the step is shown.
      const bornTerm = page.locator('.summary dt', { hasText: /^Luogo di nascita$/ });
      assert.equal((await bornTerm.locator('xpath=following-sibling::dd[1]').textContent()).trim(), 'I452 – Sassari (SS)');
      // It moves within 2.1 s (it counts the seconds).
      await clock.filter({ hasNotText: first }).waitFor({ timeout: 2_100 });
      const later = (await clock.textContent()).trim();
      assert.notEqual(later, first, 'the countdown moves');
      await shot(page, '10-riepilogo');
      assert.deepEqual(await axeViolations(page), []);
      // The request form is printed before "Prenota", with the notice and the authorisation, for
      // signature; without the operator's confirmations "Prenota" says what is missing.
      await page.getByRole('button', { name: 'Stampa il modulo da firmare' }).waitFor();
      await page.getByRole('button', { name: 'Prenota' }).click();
      await page.locator('.error-summary').getByText('Il richiedente deve firmare il modulo stampato.').waitFor();
      await confirmSigned(page);
      await page.getByRole('button', { name: 'Prenota' }).click();

      // Step 6: confirmation.
      await page.getByText('Passo 6 di 6').waitFor();
      await page.getByRole('heading', { name: 'Appuntamento confermato' }).waitFor();
      await shot(page, '11-confermato');
      assert.deepEqual(await axeViolations(page), []);
      await page.getByRole('button', { name: 'Ristampa il modulo con il codice' }).waitFor();
      const code = (await page.locator('.confirmed .booking-code').textContent()).trim();
      assert.match(code, /^PUE-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}$/);
      await page.locator('.tell-citizen').getByText('Cosa dire al cittadino').waitFor();
      const icsLink = page.getByRole('link', { name: 'Scarica nel calendario (.ics)' });
      const ics = await page.request.get(new URL(await icsLink.getAttribute('href'), t.server.url).href);
      assert.equal(ics.status(), 200);
      assert.match(ics.headers()['content-type'], /text\/calendar/);
      const icsText = await ics.text();
      assert.match(icsText, /^BEGIN:VCALENDAR/);
      assert.ok(icsText.replace(/\r\n /g, '').includes(code), 'the code in the .ics');
      // The printed form: the data and the GDPR notice, nothing of the screen around it.
      await page.emulateMedia({ media: 'print' });
      await page.getByRole('heading', { name: /Informativa sul trattamento dei dati personali/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Ristampa il modulo con il codice' }).isVisible(), false);
      await page.locator('.request-form').getByText(code, { exact: true }).waitFor();
      await page.locator('.request-form').getByText('autorizza il Comune e l’INPS a trattare', { exact: false }).waitFor();
      await page.getByText('Firma del richiedente').waitFor();
      await page.locator('.request-form').getByText('Alghero (SS)').waitFor();
      await page.locator('.request-form').getByText('I452 – Sassari (SS)', { exact: true }).waitFor();
      await page.locator('.request-form').getByText('Titolare del trattamento', { exact: false }).waitFor();
      await shot(page, '12-modulo-stampa');
      await page.emulateMedia({ media: 'screen' });
      // window.print() is called by the button (stubbed: headless Chromium has no print dialog).
      await page.evaluate(() => { window.print = () => { window.printed = true; }; });
      await page.getByRole('button', { name: 'Ristampa il modulo con il codice' }).click();
      assert.equal(await page.evaluate(() => window.printed), true);

      // Back on the home: the new card.
      await page.getByRole('link', { name: 'Torna all’area operatore' }).click();
      await page.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor();
      const card = page.locator('.appt-card', { hasText: 'Maria Bianchi' });
      await card.waitFor();
      await card.getByText('Appena prenotato').waitFor();
      await card.getByText('Assegno Unico e Universale').waitFor();
      await card.getByText('Sportello 2 - Famiglia e lavoro', { exact: false }).waitFor();
      assert.ok(slotLabel.includes((await card.locator('.appt-time').textContent()).slice(0, 5)), 'the booked time');
      assert.equal(await card.getByText('BNCMRA52E45I452C').count(), 0, 'no codice fiscale on cards');
      await shot(page, '13-home-new-card');
      assertNoProblems(page);

      // The official of the Sede sees it on the agenda of Sportello 2.
      await login(official, ACCOUNTS.official);
      const section = official.locator('section', { has: official.getByRole('heading', { name: 'Sportello 2 - Famiglia e lavoro' }) });
      for (let i = 0; i < 5 && (await section.locator('.appt-card', { hasText: 'Maria Bianchi' }).count()) === 0; i++) {
        const shown = await official.locator('#agenda-from').inputValue();
        await official.getByRole('button', { name: 'Settimana successiva' }).click();
        await official.getByRole('heading', { name: 'Agenda dello sportello', level: 1 }).waitFor();
        // The page is drawn at once with the week's appointments: wait for the next week's first day.
        await official.waitForFunction((was) => document.querySelector('#agenda-from')?.value !== was, shown);
      }
      await section.locator('.appt-card', { hasText: 'Maria Bianchi' }).getByText('Dal Comune di Villanova Monteleone').waitFor();
      await shot(official, '14-agenda');
      assert.deepEqual(await axeViolations(official), []);
      assertNoProblems(official);
    });
  });

  test('an expired hold says so and offers to choose the time again; "Esci dall’account" releases a hold', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await page.clock.install();
      await login(page, ACCOUNTS.operatorAlghero);
      const startsAt = await fillToSummary(page, { given: 'Giuseppe', family: 'Rossi', cf: 'RSSGPP48C12L989V' });
      assert.equal(await isFree(page, 'sassari-2', startsAt), false, 'held');
      await page.clock.fastForward('05:01');
      const lost = page.locator('.slot-lost');
      await lost.getByText('Il tempo per confermare è scaduto').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Prenota' }).isDisabled(), true);
      await shot(page, '15-hold-expired');
      await page.getByRole('button', { name: 'Scegli di nuovo data e ora' }).click();
      await page.getByText('Passo 4 di 6').waitFor();
      await page.locator('.slot-list label').first().waitFor();
      // The page released the lapsed hold: the slot is offered again.
      assert.equal(await page.locator('.slot-list input').first().getAttribute('value'), startsAt);
      // "Esci dall’account" in the middle of a booking releases the hold before the logout.
      await page.locator('.slot-list label').first().click();
      await page.getByRole('button', { name: 'Avanti' }).click();
      await page.locator('#countdown').waitFor();
      assert.equal(await isFree(page, 'sassari-2', startsAt), false, 'held again');
      await page.getByRole('button', { name: 'Esci dall’account' }).click();
      await page.getByRole('heading', { name: 'Accesso' }).waitFor();
      await login(page, ACCOUNTS.operatorAlghero);
      assert.equal(await isFree(page, 'sassari-2', startsAt), true, 'released at logout');
      assertNoProblems(page);
    });
  });

  test('two operators on the same slot: the second is told it was just taken; a delegate is accepted', async () => {
    await withPages(t.browser, t.server.url, 2, async (first, second) => {
      // Both comuni book at the Sede of Sassari: the first free slot is the same for both.
      await login(first, ACCOUNTS.operator);
      await login(second, ACCOUNTS.operatorAlghero);
      const heldAt = await fillToSummary(first, { given: 'Anna', family: 'Verdi', cf: 'VRDNNA60A41L989S' });

      await fillToSede(second, { given: 'Paolo', family: 'Neri', cf: 'NREPLA55M10A192N' }, async () => {
        // With a delegate on a paper act.
        await tick(second, 'Il richiedente è rappresentato da un delegato');
        await second.getByLabel('Nome del delegato', { exact: true }).fill('Lucia');
        await second.getByLabel('Cognome del delegato', { exact: true }).fill('Neri');
        await second.getByLabel('Codice fiscale del delegato', { exact: true }).fill('NRELCU80A41A192Q');
        await tick(second, 'Atto di delega su carta');
        await second.getByLabel('Riferimento dell’atto di delega').fill('Delega del 20/11/2026');
      });
      await second.locator('label', { hasText: 'Sportello 2 - Famiglia e lavoro' }).click();
      await second.getByRole('button', { name: 'Avanti' }).click();
      await second.getByText('Passo 4 di 6').waitFor();
      // The slot held by the first operator is no longer offered... (compared by instant: when it
      // was the last free slot of its day, the wizard opens on a later day, where the same time is free)
      assert.equal(await isFree(second, 'sassari-2', heldAt), false, `${heldAt} is not free for the second operator`);
      const offered = await second.locator('.slot-list input').evaluateAll((inputs) => inputs.map((i) => i.value));
      assert.ok(!offered.includes(heldAt), `${heldAt} is not offered: ${offered}`);
      assert.ok(offered.length > 0);
      await second.locator('.slot-list label').first().click();
      await second.getByRole('button', { name: 'Avanti' }).click();
      await second.getByText('Passo 5 di 6').waitFor();
      await second.getByRole('heading', { name: 'Delegato' }).waitFor();
      await shot(second, '17-riepilogo-delegato');
      await confirmSigned(second, { delegate: 'paper' });
      await second.getByRole('button', { name: 'Prenota' }).click();
      await second.getByRole('heading', { name: 'Appuntamento confermato' }).waitFor();

      // ...and when the same slot is asked for anyway (a stale list), the answer is in Italian.
      await first.getByRole('button', { name: 'Indietro' }).click();
      await first.getByText('Passo 4 di 6').waitFor();
      await first.locator('.slot-list label').first().click();
      const slotAt = await first.locator('.slot-list input:checked').getAttribute('value');
      // The second operator holds that very slot now.
      const taken = await second.evaluate(async (at) => {
        // The session's CSRF token, as the web client sends it on POST (when the server has one).
        const { csrf_token: csrf } = await (await fetch('/v1/session')).json();
        const r = await fetch('/v1/booking/holds', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(typeof csrf === 'string' ? { 'x-csrf-token': csrf } : {}) },
          body: JSON.stringify({ sportello_id: 'sassari-2', starts_at: at, service_code: 'assegno-unico' }),
        });
        return r.status;
      }, slotAt);
      assert.equal(taken, 201);
      await first.getByRole('button', { name: 'Avanti' }).click();
      await first.getByText('Passo 4 di 6').waitFor();
      await first.getByRole('alert').getByText('Questo orario è appena stato prenotato da un altro operatore').waitFor();
      await shot(first, '18-slot-taken');
      assertNoProblems(first, second);
    });
  });

  test('the INPS administrator reads services, Sedi, sportelli, opening hours, closures and holidays', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await login(page, ACCOUNTS.inpsAdmin);
      await page.getByRole('table', { name: 'Servizi prenotabili' }).getByRole('cell', { name: 'Assegno Unico e Universale' }).waitFor();
      await page.getByRole('heading', { name: 'Sede provinciale di Sassari', level: 3 }).waitFor();
      const comuni = page.getByRole('table', { name: 'Comuni di competenza – Sede provinciale di Sassari' });
      await comuni.getByRole('rowheader', { name: 'Villanova Monteleone' }).waitFor();
      const hours = page.getByRole('table', { name: 'Orari di apertura settimanali – Sportello 1 - Pensioni e contributi' });
      await hours.getByRole('row', { name: /martedì dalle 08:30 alle 12:30 e dalle 14:30 alle 16:30/ }).waitFor();
      await hours.getByRole('row', { name: 'domenica chiuso' }).waitFor();
      const holidays = page.getByRole('table', { name: /^Festività nazionali \d{4}$/ });
      await holidays.getByRole('cell', { name: 'Lunedì dell’Angelo (Pasquetta)' }).waitFor();
      await page.getByLabel('Anno').selectOption('2027');
      await page.getByRole('table', { name: 'Festività nazionali 2027' }).getByRole('rowheader', { name: /29 marzo 2027/ }).waitFor();
      assert.equal(await page.getByText('Il server non permette ancora').count(), 0);
      await page.getByText('È in uso il testo predefinito', { exact: false }).waitFor();
      await shot(page, '16-admin');
      assert.deepEqual(await axeViolations(page), []);
      // Logout brings back the login page; the operator pages then ask to log in again.
      await page.getByRole('button', { name: 'Esci dall’account' }).click();
      await page.getByRole('heading', { name: 'Accesso' }).waitFor();
      await page.goto('/admin');
      await page.getByRole('heading', { name: 'Accesso' }).waitFor();
      assertNoProblems(page);
    });
  });
});
