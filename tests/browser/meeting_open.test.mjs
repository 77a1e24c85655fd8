// Meeting day, first piece: the operator books an appointment for today (through the booking API
// from the page, to set up quickly), presses "Apri la videochiamata" on today's card; the official logs in,
// presses "Entra nella videochiamata" on the agenda (before the operator opened it: the page waits
// and enters by itself when the server says the meeting opened); both exchange video.
//
// The server runs with `--demo-clock` (demo mode only) so that "today, inside the meeting window"
// holds at any hour and on any day the tests run: Monday 23 November 2026, 10:05 in Italy.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, axeViolations, bookToday, CITIZEN, LONG, DEMO_NOW, inboundStats, login, screenshot, TODAY, useServerAndBrowser, waitConnected, waitFor,
  withPages,
} from './fixtures.mjs';

describe('meeting day: "Apri la videochiamata" and "Entra nella videochiamata"', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('operator opens the meeting of today\'s card, the official joins from the agenda, video both ways', async () => {
    await withPages(t.browser, t.server.url, 2, async (operator, official) => {
      await login(operator, ACCOUNTS.operator);
      const appt = await bookToday(operator);
      assert.ok(appt.startsAt.startsWith(`${TODAY}T10:`), appt.startsAt);
      // A later one (12:00): its meeting cannot be opened yet, and the card says from when.
      const later = await bookToday(operator, { index: 2 });
      assert.ok(later.startsAt.startsWith(`${TODAY}T12:00`), later.startsAt);

      // The home shows today (by the server's clock) with the card and its "Apri la videochiamata".
      await operator.goto('/operatore');
      await operator.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor();
      await operator.getByRole('heading', { name: /^Oggi, lunedì 23 novembre 2026/ }).waitFor();
      const card = operator.locator(`[data-appointment-id="${appt.id}"]`);
      const open = card.getByRole('button', { name: 'Apri la videochiamata' });
      await open.waitFor();
      assert.equal(await open.isEnabled(), true, '"Apri la videochiamata" is enabled inside the window');
      await card.getByText(/Disponibile fino alle/).waitFor();
      const laterCard = operator.locator(`[data-appointment-id="${later.id}"]`);
      assert.equal(await laterCard.getByRole('button', { name: 'Apri la videochiamata' }).isDisabled(), true);
      await laterCard.getByText('La videochiamata si potrà aprire dalle 11:30.').waitFor();
      await screenshot(operator, 'meeting-open-home', { fullPage: true });

      // The official tries before the operator opened: the card says it waits, and can stop.
      await login(official, ACCOUNTS.official);
      const row = official.locator(`[data-appointment-id="${appt.id}"]`);
      const enter = row.getByRole('button', { name: 'Entra nella videochiamata' });
      await enter.waitFor();
      // The case, on request: "Dati della richiesta".
      await row.locator('summary').getByText('Dati della richiesta').click();
      await row.locator('.case-list').getByText(CITIZEN.codice_fiscale).waitFor({ timeout: LONG });
      await row.locator('.case-list').getByText('Giulia Serra (operatore.villanova)', { exact: false }).waitFor();
      await enter.click();
      const waiting = row.getByRole('status').getByText('In attesa che l’operatore del Comune apra la videochiamata.', { exact: false });
      await waiting.waitFor();
      assert.equal(await row.getByRole('button', { name: 'In attesa dell’operatore…' }).isDisabled(), true);
      await row.getByRole('button', { name: 'Smetti di attendere' }).click();
      await waiting.waitFor({ state: 'hidden' });
      assert.equal(await enter.isEnabled(), true, 'the button is back');
      await enter.click();
      await waiting.waitFor();
      await screenshot(official, 'meeting-official-waits', { fullPage: true });
      assert.deepEqual(await axeViolations(official), [], 'the waiting agenda: axe-core');

      // The operator opens: the official's page enters by itself, nobody clicks again.
      const start = Date.now();
      await open.click();
      await operator.waitForURL(`${t.server.url}/meeting`);
      assert.ok(!operator.url().includes('token'), 'no token in the address bar');
      await waitConnected(operator, { timeout: 10_000 });

      await official.waitForURL(`${t.server.url}/meeting`);
      assert.ok(!official.url().includes('token'), 'no token in the address bar');

      for (const [who, page] of [['operator', operator], ['official', official]]) {
        const stats = await waitFor(async () => {
          const s = await inboundStats(page);
          return s.framesDecoded > 30 ? s : false;
        }, { timeoutMs: 10_000, intervalMs: 200, what: `${who}'s inbound video` });
        console.log(`${who}: framesDecoded=${stats.framesDecoded} after ${Date.now() - start} ms`);
      }
      // Each side sees the other under their staff name, never the citizen's.
      await official.getByText('Operatore – Villanova Monteleone').first().waitFor();
      await operator.getByText('Funzionario INPS – Sede provinciale di Sassari').first().waitFor();
      await screenshot(operator, 'meeting-open-operator');
      await screenshot(official, 'meeting-open-official');

      // Both are in the same room, and only there.
      const ids = await Promise.all([operator, official].map((p) => p.evaluate(() => window.sportello.participantId())));
      assert.deepEqual(await operator.evaluate(() => window.sportello.remoteParticipants()), [ids[1]]);
      assert.deepEqual(await official.evaluate(() => window.sportello.remoteParticipants()), [ids[0]]);

      assertNoProblems(operator, official);
    });
  });
});
