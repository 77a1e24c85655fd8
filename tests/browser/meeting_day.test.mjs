// The whole meeting day (issue 5): lobby with device check, roster, "Passa al cittadino" with the
// operator logged out and video flowing across it, kiosk reload, "Richiama operatore", close
// with an outcome, the citizen session gone. Screenshots in /tmp/shots, axe-core on lobby and kiosk.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, axeViolations, bookToday, CITIZEN, DEMO_NOW, LONG, login, screenshot, SHOTS_DIR,
  startServer, useServerAndBrowser, waitConnected, withPages,
} from './fixtures.mjs';
import { runMeetingDay } from './meeting_day_flow.mjs';

describe('meeting day: lobby, handover, call back, close', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('operator opens, official joins, handover, call back, handover, official closes', { timeout: 240_000 }, async () => {
    await runMeetingDay(t.browser, t.server.url, { shots: true, log: (line) => { console.log(line); } });
  });

  test('/sportello without a citizen session says what happens next and leads the operator to today\'s appointments', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await page.goto('/sportello');
      await page.getByRole('heading', { name: 'Nessuna videochiamata in corso su questa postazione', level: 1 }).waitFor({ timeout: LONG });
      await page.getByText('All’ora dell’appuntamento l’operatore del Comune apre la videochiamata e poi la passa al cittadino.').waitFor();
      assert.equal(await page.locator('#main button, #main a').count(), 1, 'one way on: the operator\'s');
      await page.getByRole('link', { name: 'Operatore: accedi agli appuntamenti di oggi' }).click();
      await page.getByRole('heading', { name: 'Accesso', level: 1 }).waitFor({ timeout: LONG });
      assert.equal(new URL(page.url()).searchParams.get('torna'), '/operatore');
      assert.equal(await page.evaluate(() => window.sportello.state()), 'idle');
      assertNoProblems(page);
    });
  });

  test('the official alone in the lobby sees who is expected, the citizen by name', { timeout: 120_000 }, async () => {
    // A server of its own: the first slot of today is the one inside the meeting window.
    const own = await startServer({ extraArgs: ['--demo-clock', DEMO_NOW] });
    try {
      await withPages(t.browser, own.url, 2, async (operator, official) => {
        await login(operator, ACCOUNTS.operator);
        const appt = await bookToday(operator);
        await operator.goto('/operatore');
        await operator.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Apri la videochiamata' }).click();
        await waitConnected(operator);
        // The operator steps out ("Lascia la videochiamata"): the official arrives to an empty room.
        await operator.locator('#btn-leave').click();
        await operator.getByRole('heading', { name: 'Ha lasciato la videochiamata' }).waitFor({ timeout: LONG });

        await login(official, ACCOUNTS.official);
        await official.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Entra nella videochiamata' }).click();
        const lobby = official.locator('#lobby');
        await lobby.waitFor({ state: 'visible', timeout: LONG });
        await lobby.locator('#awaited li[data-role="operator"]').getByText('Operatore – Villanova Monteleone').waitFor();
        await lobby.locator('#awaited li[data-role="citizen"]').getByText(`${CITIZEN.given_name} ${CITIZEN.family_name}`).waitFor();
        await official.getByRole('button', { name: 'Chiudi la videochiamata' }).waitFor();
        await screenshot(official, 'lobby-official', { dir: SHOTS_DIR });
        assert.deepEqual(await axeViolations(official), [], 'official lobby: axe-core');

        // The operator comes back: the lobby gives way to the call.
        await operator.getByRole('button', { name: 'Rientra nella videochiamata' }).click();
        await lobby.waitFor({ state: 'hidden', timeout: LONG });
        await official.locator('#roster [data-role="operator"]').waitFor();
        assertNoProblems(operator, official);
      });
    } finally {
      await own.stop();
    }
  });
});
