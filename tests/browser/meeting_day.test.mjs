// The whole meeting day (issue 5): lobby with device check, roster, "Passa al cittadino" with the
// operator logged out and video flowing across it, kiosk reload, "Richiama operatore", close
// with an outcome, the citizen session gone. Screenshots in /tmp/shots, axe-core on lobby and kiosk.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, newParticipantPage, startServer, waitFor } from './harness.mjs';
import {
  axeViolations, bookToday, CITIZEN, DEMO_NOW, login, OFFICIAL, OPERATOR, runMeetingDay, SHOTS_DIR,
} from './meeting_day_flow.mjs';

describe('meeting day: lobby, handover, call back, close', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer({ extraArgs: ['--demo-clock', DEMO_NOW] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('operator opens, official joins, handover, call back, handover, official closes', { timeout: 240_000 }, async () => {
    await runMeetingDay(browser, server.url, { shots: true, log: (line) => { console.log(line); } });
  });

  test('/sportello without a citizen session says so and offers nothing to press', async () => {
    const page = await newParticipantPage(browser, server.url);
    try {
      await page.goto(`${server.url}/sportello`);
      await page.getByRole('heading', { name: 'Nessun incontro in corso su questa postazione', level: 1 }).waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('#main button, #main a').count(), 0);
      assert.equal(await page.evaluate(() => window.sportello.state()), 'idle');
      assert.deepEqual(page.problems, []);
    } finally {
      await page.closeAll();
    }
  });

  test('the official alone in the lobby sees who is expected, the citizen by name', { timeout: 120_000 }, async () => {
    // A server of its own: the first slot of today is the one inside the meeting window.
    const own = await startServer({ extraArgs: ['--demo-clock', DEMO_NOW] });
    const operator = await newParticipantPage(browser, own.url);
    const official = await newParticipantPage(browser, own.url);
    try {
      await login(operator, own.url, OPERATOR, 'Area operatore');
      const appt = await bookToday(operator);
      await operator.goto(`${own.url}/operatore`);
      await operator.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Apri meeting' }).click();
      await waitFor(() => operator.evaluate(() => window.sportello.state() === 'connected'), { timeoutMs: 30_000, what: 'operator connected' });
      // The operator steps out ("Esci"): the official arrives to an empty room.
      await operator.locator('#btn-leave').click();
      await operator.getByRole('heading', { name: 'Ha lasciato la riunione' }).waitFor({ timeout: 30_000 });

      await login(official, own.url, OFFICIAL, 'Agenda dello sportello');
      await official.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Entra nel meeting' }).click();
      const lobby = official.locator('#lobby');
      await lobby.waitFor({ state: 'visible', timeout: 30_000 });
      await lobby.locator('#awaited li[data-role="operator"]').getByText('Operatore – Villanova Monteleone').waitFor();
      await lobby.locator('#awaited li[data-role="citizen"]').getByText(`${CITIZEN.given_name} ${CITIZEN.family_name}`).waitFor();
      await official.getByRole('button', { name: 'Chiudi meeting' }).waitFor();
      await official.evaluate(() => document.fonts.ready);
      await official.screenshot({ path: join(SHOTS_DIR, 'lobby-official.png') });
      assert.deepEqual(await axeViolations(official), [], 'official lobby: axe-core');

      // The operator comes back: the lobby gives way to the call.
      await operator.getByRole('button', { name: 'Rientra nella riunione' }).click();
      await lobby.waitFor({ state: 'hidden', timeout: 30_000 });
      await official.locator('#roster [data-role="operator"]').waitFor();
      assert.deepEqual([...operator.problems, ...official.problems], []);
    } finally {
      await operator.closeAll();
      await official.closeAll();
      await own.stop();
    }
  });
});
