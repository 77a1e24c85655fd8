// After the official closes the videochiamata: the kiosk asks the citizen how it went (five
// faces, an optional comment, "Invia" / "Salta"), checked at three sizes with axe; a rating is
// sent and the thanks show. The operator's card shows "Concluso: Da richiamare" with the
// official's note, and the follow-up "Da richiamare" offers "Prenota di nuovo", which opens the
// booking wizard filled in with the applicant's data.
// Opening, handing over and closing go through the API from the pages (quick to set up).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, bookToday, checkLayouts, CITIZEN, DEMO_NOW, LONG, login, useServerAndBrowser, waitConnected, withPages,
} from './fixtures.mjs';

/** POSTs `body` to `path` from `page` with its session's CSRF token; returns the status. */
function post(page, path, body) {
  return page.evaluate(async ([p, b]) => {
    const { csrf_token: csrf } = await (await fetch('/v1/session')).json();
    const res = await fetch(p, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(typeof csrf === 'string' ? { 'x-csrf-token': csrf } : {}) },
      body: JSON.stringify(b),
    });
    return res.status;
  }, [path, body]);
}

const NOTE = 'Manca il modello ISEE: richiamare quando è pronto.';

describe('the end of the videochiamata', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('the kiosk asks how it went; the operator sees the outcome and the follow-up', async () => {
    await withPages(t.browser, t.server.url, 3, async (kiosk, official, operator) => {
      // The kiosk: the operator books, opens, hands over; the kiosk page resumes as the citizen.
      await login(kiosk, ACCOUNTS.operator);
      const appt = await bookToday(kiosk);
      const base = `/v1/booking/appointments/${appt.id}/meeting`;
      assert.equal(await post(kiosk, base, {}), 200, 'the operator opens');
      assert.equal(await post(kiosk, `${base}/handover`, {}), 200, 'the operator hands over');
      await kiosk.goto('/sportello');
      await waitConnected(kiosk);
      await kiosk.waitForFunction(() => window.sportello?.role() === 'citizen', undefined, { timeout: LONG });

      // The official closes with "Da richiamare" and a note.
      await login(official, ACCOUNTS.official);
      assert.equal(await post(official, `${base}/close`, { outcome: 'call_back', notes: NOTE }), 200, 'the official closes');

      // The kiosk asks how it went.
      await kiosk.getByRole('heading', { name: 'Com’è andata la videochiamata?', level: 1 }).waitFor({ timeout: LONG });
      const faces = kiosk.getByRole('radio');
      assert.equal(await faces.count(), 5);
      for (const label of ['Molto male', 'Male', 'Così così', 'Bene', 'Molto bene']) {
        await kiosk.getByRole('radio', { name: label, exact: true }).waitFor();
      }
      assert.equal(await kiosk.locator('#main button').count(), 2, 'two buttons: Invia and Salta');
      await checkLayouts(kiosk, 'kiosk-feedback');
      // "Invia" without a choice: said clearly, nothing sent.
      await kiosk.getByRole('button', { name: 'Invia' }).click();
      await kiosk.getByText('Scelga una delle cinque risposte.').waitFor();
      // The keyboard works: the focus is on the first face; the arrows move the choice.
      await kiosk.keyboard.press('ArrowRight');
      await kiosk.keyboard.press('ArrowRight');
      await kiosk.keyboard.press('ArrowRight');
      assert.equal(await kiosk.getByRole('radio', { name: 'Bene', exact: true }).isChecked(), true, 'arrows choose "Bene"');
      await checkLayouts(kiosk, 'kiosk-feedback-chosen');
      await kiosk.getByLabel(/Vuole aggiungere qualcosa/).fill('Il funzionario è stato gentile.');
      await kiosk.getByRole('button', { name: 'Invia' }).click();
      await kiosk.getByRole('heading', { name: 'Grazie per la sua risposta.', level: 1 }).waitFor({ timeout: LONG });
      await kiosk.getByText('Può lasciare la postazione.').waitFor();
      assert.equal((await kiosk.context().cookies()).some((c) => c.name === 'sportello_citizen'), false, 'the citizen cookie is gone');
      const again = await kiosk.evaluate(async () => (await fetch('/v1/citizen/session')).status);
      assert.equal(again, 401, 'the kiosk has no citizen session');
      await checkLayouts(kiosk, 'kiosk-thanks');

      // The operator's home: "Concluso: Da richiamare" with the note, and the follow-up.
      await login(operator, ACCOUNTS.operator);
      const card = operator.locator(`.appt-list:not(.follow-ups *) [data-appointment-id="${appt.id}"]`).first();
      await card.locator('.appt-state').getByText('Concluso: Da richiamare', { exact: true }).waitFor({ timeout: LONG });
      await card.getByText(NOTE).waitFor();
      assert.equal(await card.getByRole('button').count(), 0, 'no action on a concluded card');
      const followUps = operator.getByRole('region', { name: 'Da richiamare' });
      const followUp = followUps.locator(`[data-appointment-id="${appt.id}"]`);
      await followUp.getByText(`${CITIZEN.given_name} ${CITIZEN.family_name}`).waitFor({ timeout: LONG });
      await followUp.getByText(CITIZEN.codice_fiscale).waitFor();
      await followUp.getByText(NOTE).waitFor();
      await checkLayouts(operator, 'home-follow-up');
      // The official's agenda says the same.
      await official.goto('/agenda');
      const row = official.locator(`[data-appointment-id="${appt.id}"]`);
      await row.locator('.appt-state').getByText('Concluso: Da richiamare', { exact: true }).waitFor({ timeout: LONG });
      await row.getByText(NOTE).waitFor();

      // "Prenota di nuovo": the wizard, filled in.
      await followUp.getByRole('link', { name: /Prenota di nuovo/ }).click();
      await operator.waitForURL((u) => u.pathname === '/operatore/prenota' && u.searchParams.get('richiamo') === appt.id, { timeout: LONG });
      await operator.getByRole('heading', { name: 'Prenota appuntamento', level: 1 }).waitFor({ timeout: LONG });
      await operator.getByText(/da richiamare: i dati della richiesta precedente sono già compilati/).waitFor({ timeout: LONG });
      assert.equal(await operator.locator('#given-name').inputValue(), CITIZEN.given_name);
      assert.equal(await operator.locator('#family-name').inputValue(), CITIZEN.family_name);
      assert.equal(await operator.locator('#codice-fiscale').inputValue(), CITIZEN.codice_fiscale);
      assert.equal(await operator.locator('#birth-date').inputValue(), '15/09/1992');
      assert.equal(await operator.locator('#birth-place').inputValue(), CITIZEN.birth_place);
      await checkLayouts(operator, 'wizard-prefilled');
      assertNoProblems(kiosk, official, operator);
    });
  });
});
