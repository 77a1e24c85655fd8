// The operator's side of a booking, in the browser: the request form printed before "Prenota"
// and the confirmations it needs, the booking code and "Cosa dire al cittadino" on the
// confirmation, and from the home: reprint, search by code, name or date, cancel with a reason,
// "Sposta" through a new 5-minute hold; the wizard keeps its data on a reload and Enter moves on.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, bookToday, checkLayouts, confirmSigned, DEMO_NOW, fillToSummary, LONG, login, tick,
  useServerAndBrowser, withPages,
} from './fixtures.mjs';

const CODE = /^PUE-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}$/;

/** Replaces window.print (headless Chromium has no dialog) with a counter. */
async function stubPrint(page) {
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
}

describe('booking, the operator\'s side', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('the form before "Prenota", the code, reprint, search and cancel with a reason', { timeout: 180_000 }, async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await login(page, ACCOUNTS.operator);
      await fillToSummary(page, { given: 'Giuseppe', family: 'Rossi', cf: 'RSSGPP48C12L989V' });
      // The form to sign, printed before "Prenota": the data, the notice, the authorisation.
      const printForm = page.getByRole('button', { name: 'Stampa il modulo da firmare' });
      await printForm.waitFor();
      await stubPrint(page);
      await printForm.click();
      assert.equal(await page.evaluate(() => window.printed), 1);
      await page.emulateMedia({ media: 'print' });
      const form = page.locator('.request-form');
      await form.getByText('RSSGPP48C12L989V').waitFor();
      await form.getByText('assegnato alla conferma della prenotazione').waitFor();
      await form.getByText('autorizza il Comune e l’INPS a trattare', { exact: false }).waitFor();
      await form.getByText('Firma del richiedente').waitFor();
      await page.emulateMedia({ media: 'screen' });
      await checkLayouts(page, 'booking-form-to-sign');
      // "Prenota" without the confirmations: said, nothing booked.
      await page.getByRole('button', { name: 'Prenota' }).click();
      await page.locator('.error-summary').getByText('Acquisisca la copia del documento del richiedente.').waitFor();
      await confirmSigned(page);
      await page.getByRole('button', { name: 'Prenota' }).click();

      // The confirmation: the code and what to tell the citizen.
      await page.getByRole('heading', { name: 'Appuntamento confermato' }).waitFor({ timeout: LONG });
      const code = (await page.locator('.confirmed .booking-code').textContent()).trim();
      assert.match(code, CODE);
      const tell = page.locator('.tell-citizen');
      await tell.getByText('Cosa dire al cittadino').waitFor();
      await tell.getByText('un documento d’identità valido', { exact: false }).waitFor();
      await tell.getByText('Punto Utente Evoluto del Comune di Villanova Monteleone', { exact: false }).waitFor();
      await checkLayouts(page, 'booking-code-confirmation');

      // The home: the card with its code; "Ristampa il modulo" prints the recorded request.
      await page.getByRole('link', { name: 'Torna all’area operatore' }).click();
      const card = page.locator('.appt-card.is-new');
      await card.waitFor();
      const id = await card.getAttribute('data-appointment-id');
      await card.locator('.booking-code').getByText(code).waitFor();
      await stubPrint(page);
      await card.getByRole('button', { name: 'Ristampa il modulo di Giuseppe Rossi' }).click();
      await page.waitForFunction(() => window.printed === 1);
      await page.emulateMedia({ media: 'print' });
      await page.locator('.request-form').getByText(code, { exact: true }).waitFor();
      await page.locator('.request-form').getByText('RSSGPP48C12L989V').waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Area operatore' }).isVisible(), false, 'only the form on paper');
      await page.emulateMedia({ media: 'screen' });

      // Search: by the code as read aloud, by the start of the family name, by date.
      const search = page.getByLabel('Cerca per codice di prenotazione, cognome o data');
      const results = page.locator('#search-results');
      await search.fill(code.slice(4).replace('-', ' ').toLowerCase());
      await page.getByRole('button', { name: 'Cerca', exact: true }).click();
      await page.getByText('Trovato 1 appuntamento.').waitFor();
      await results.locator(`[data-appointment-id="${id}"]`).waitFor();
      await search.fill('ross');
      await search.press('Enter');
      await results.locator(`[data-appointment-id="${id}"]`).waitFor();
      await search.fill('nessuno');
      await search.press('Enter');
      await page.getByText('Nessun appuntamento trovato.').waitFor();
      const day = await card.evaluate(() => document.querySelector('.appt-card.is-new')?.closest('.appt-day')?.getAttribute('aria-label') ?? '');
      const startsAt = await page.evaluate(async (a) => (await (await fetch(`/v1/booking/appointments/${a}`)).json()).starts_at, id);
      const [y, m, d] = startsAt.slice(0, 10).split('-');
      await search.fill(`${d}/${m}/${y}`);
      await search.press('Enter');
      await results.locator(`[data-appointment-id="${id}"]`).waitFor();
      assert.ok(day === '' || day.length > 0);
      await checkLayouts(page, 'home-search');

      // Cancel, with a reason (asked for; required).
      await card.getByRole('button', { name: 'Annulla l’appuntamento di Giuseppe Rossi' }).click();
      const dialog = page.getByRole('dialog', { name: 'Annulla l’appuntamento' });
      await dialog.waitFor();
      await dialog.getByText(code, { exact: false }).waitFor();
      await dialog.getByRole('button', { name: 'Annulla l’appuntamento' }).click();
      await dialog.getByText('Scriva il motivo dell’annullamento.').waitFor();
      await checkLayouts(page, 'home-cancel-dialog');
      await dialog.getByLabel('Motivo dell’annullamento').fill('Il cittadino non può venire');
      await dialog.getByRole('button', { name: 'Annulla l’appuntamento' }).click();
      await dialog.waitFor({ state: 'hidden' });
      // The home is drawn again without it (the search results go with the old page).
      await page.waitForFunction((a) => !document.querySelector(`[data-appointment-id="${a}"]`), id, { timeout: LONG });
      // Still found by its code, as cancelled, with no action left.
      await search.fill(code);
      await search.press('Enter');
      const cancelled = results.locator(`[data-appointment-id="${id}"]`);
      await cancelled.getByText('Annullato', { exact: true }).waitFor();
      assert.equal(await cancelled.getByRole('button').count(), 0);
      assertNoProblems(page);
    });
  });

  test('"Sposta" moves an appointment through a new hold; the code stays', { timeout: 180_000 }, async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await login(page, ACCOUNTS.operator);
      const appt = await bookToday(page);
      await page.goto('/operatore');
      const card = page.locator(`.operator-home > section [data-appointment-id="${appt.id}"]`);
      const code = (await card.locator('.booking-code').textContent()).trim();
      assert.match(code, CODE);
      await card.getByRole('button', { name: /^Sposta l’appuntamento di / }).click();
      await page.getByRole('heading', { name: 'Sposta appuntamento', level: 1 }).waitFor();
      await page.getByText('Passo 3 di 6').waitFor();
      await page.getByText(`codice ${code}`, { exact: false }).waitFor();
      await page.locator('input[name="sportello"]').first().waitFor({ state: 'attached' });
      await page.getByRole('button', { name: 'Avanti' }).click();
      await page.getByText('Passo 4 di 6').waitFor();
      await page.locator('.slot-list label').first().click();
      const newAt = await page.locator('.slot-list input:checked').getAttribute('value');
      assert.notEqual(Date.parse(newAt), Date.parse(appt.startsAt));
      await page.getByRole('button', { name: 'Avanti' }).click();
      await page.locator('#countdown').waitFor();
      await page.getByText('Nuovo orario').waitFor();
      await page.getByText('Tempo rimasto per premere “Conferma lo spostamento”', { exact: false }).waitFor();
      await checkLayouts(page, 'move-summary');
      await page.getByRole('button', { name: 'Conferma lo spostamento' }).click();
      await page.getByText(/^Spostato a /).waitFor({ timeout: LONG });
      assert.equal((await page.locator('.confirmed .booking-code').textContent()).trim(), code, 'the same code');
      const moved = await page.evaluate(async (a) => (await (await fetch(`/v1/booking/appointments/${a}`)).json()).starts_at, appt.id);
      assert.equal(Date.parse(moved), Date.parse(newAt));
      await checkLayouts(page, 'move-done');
      assertNoProblems(page);
    });
  });

  test('the wizard keeps its data on a reload; Enter in a field moves on', { timeout: 180_000 }, async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await login(page, ACCOUNTS.operator);
      await page.getByRole('link', { name: 'Prenota appuntamento' }).click();
      await page.getByText('Passo 1 di 6').waitFor();
      await page.getByLabel('Nome', { exact: true }).fill('Giuseppe');
      await page.getByLabel('Cognome', { exact: true }).fill('Rossi');
      await page.getByLabel('Codice fiscale', { exact: true }).fill('RSSGPP48C12L989V');
      await page.getByLabel('Codice fiscale', { exact: true }).blur();
      await tick(page, 'Il richiedente è rappresentato da un delegato');
      await page.getByLabel('Nome del delegato', { exact: true }).fill('Lucia');
      await page.reload();
      await page.getByText('Passo 1 di 6').waitFor({ timeout: LONG });
      await page.getByText('Sono stati recuperati i dati inseriti', { exact: false }).waitFor();
      assert.equal(await page.getByLabel('Cognome', { exact: true }).inputValue(), 'Rossi');
      assert.equal(await page.getByLabel('Codice fiscale', { exact: true }).inputValue(), 'RSSGPP48C12L989V');
      assert.equal(await page.getByLabel('Data di nascita').inputValue(), '12/03/1948');
      assert.equal(await page.getByLabel('Nome del delegato', { exact: true }).inputValue(), 'Lucia');
      await checkLayouts(page, 'wizard-restored');
      // The browser's Back to the home, then Forward: the data are there again.
      await page.goBack();
      await page.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor();
      await page.goForward();
      await page.getByText('Passo 1 di 6').waitFor({ timeout: LONG });
      assert.equal(await page.getByLabel('Cognome', { exact: true }).inputValue(), 'Rossi');
      // Never in localStorage (personal data).
      assert.equal(await page.evaluate(() => JSON.stringify(localStorage).includes('RSSGPP48C12L989V')), false);
      await tick(page, 'Il richiedente è rappresentato da un delegato');
      // Enter in a field: the next step, not a submission.
      await page.getByLabel('Cognome', { exact: true }).press('Enter');
      await page.getByText('Passo 2 di 6').waitFor();
      // "Annulla" at step 1 forgets the draft.
      await page.getByRole('button', { name: 'Indietro' }).click();
      await page.getByRole('button', { name: 'Annulla' }).click();
      await page.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      // Nor does it outlive the operator's session.
      await page.getByRole('link', { name: 'Prenota appuntamento' }).click();
      await page.getByLabel('Cognome', { exact: true }).fill('Verdi');
      assert.equal(await page.evaluate(() => sessionStorage.length), 1);
      await page.getByRole('button', { name: 'Esci dall’account' }).click();
      await page.getByRole('heading', { name: 'Accesso' }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      assertNoProblems(page);
    });
  });
});
