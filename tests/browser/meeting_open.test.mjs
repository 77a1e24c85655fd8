// Meeting day, first piece: the operator books an appointment for today (through the booking API
// from the page, to set up quickly), presses "Apri meeting" on today's card; the official logs in,
// presses "Entra nel meeting" on the agenda; both exchange video.
//
// The server runs with `--demo-clock` (demo mode only) so that "today, inside the meeting window"
// holds at any hour and on any day the tests run: Monday 23 November 2026, 10:05 in Italy.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, inboundStats, launchBrowser, newParticipantPage, startServer, waitFor } from './harness.mjs';

const DEMO_NOW = '2026-11-23T10:05:00+01:00';
const TODAY = '2026-11-23';

async function login(page, url, label, heading) {
  await page.goto(`${url}/accesso`);
  await page.getByRole('heading', { name: 'Accesso' }).waitFor();
  await page.locator('label').getByText(label, { exact: true }).click();
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** Holds and confirms the free slot number `index` of sassari-1 today, from the operator's page. */
function bookToday(page, index = 0) {
  return page.evaluate(async ([day, index]) => {
    const json = async (res) => {
      const body = await res.json();
      if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    // The session's CSRF token, as the web client sends it on POST (when the server has one).
    const { csrf_token: csrf } = await json(await fetch('/v1/session'));
    const csrfHeader = typeof csrf === 'string' ? { 'x-csrf-token': csrf } : {};
    const slots = await json(await fetch(`/v1/booking/sportelli/sassari-1/slots?from=${day}&to=${day}`));
    const slot = slots.slots[index];
    if (!slot) throw new Error('no free slot today');
    const hold = await json(await fetch('/v1/booking/holds', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...csrfHeader },
      body: JSON.stringify({ sportello_id: 'sassari-1', starts_at: slot.starts_at, service_code: 'pensioni' }),
    }));
    const appt = await json(await fetch(`/v1/booking/holds/${hold.id}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `meeting-${hold.id}`, ...csrfHeader },
      body: JSON.stringify({
        applicant: {
          given_name: 'Laura', family_name: 'Bianchi', codice_fiscale: 'BNCLRA92P55I452E', birth_date: '1992-09-15',
          birth_place: 'I452', sex: 'F', residence_istat: '090078',
        },
        services: ['pensioni'],
        gdpr_notice_signed: true,
        id_copy_acquired: true,
      }),
    }));
    return { id: appt.id, startsAt: appt.starts_at };
  }, [TODAY, index]);
}

describe('meeting day: "Apri meeting" and "Entra nel meeting"', () => {
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

  test('operator opens the meeting of today\'s card, the official joins from the agenda, video both ways', async () => {
    const operator = await newParticipantPage(browser, server.url);
    const official = await newParticipantPage(browser, server.url);
    try {
      await login(operator, server.url, 'Operatore del Comune di Villanova Monteleone', 'Area operatore');
      const appt = await bookToday(operator);
      assert.ok(appt.startsAt.startsWith(`${TODAY}T10:`), appt.startsAt);
      // A later one (12:00): its meeting cannot be opened yet, and the card says from when.
      const later = await bookToday(operator, 2);
      assert.ok(later.startsAt.startsWith(`${TODAY}T12:00`), later.startsAt);

      // The home shows today (by the server's clock) with the card and its "Apri meeting".
      await operator.goto(`${server.url}/operatore`);
      await operator.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor();
      await operator.getByRole('heading', { name: /^Oggi, lunedì 23 novembre 2026/ }).waitFor();
      const card = operator.locator(`[data-appointment-id="${appt.id}"]`);
      const open = card.getByRole('button', { name: 'Apri meeting' });
      await open.waitFor();
      assert.equal(await open.isEnabled(), true, '"Apri meeting" is enabled inside the window');
      await card.getByText(/Disponibile fino alle/).waitFor();
      const laterCard = operator.locator(`[data-appointment-id="${later.id}"]`);
      assert.equal(await laterCard.getByRole('button', { name: 'Apri meeting' }).isDisabled(), true);
      await laterCard.getByText('Il meeting si potrà aprire dalle 11:30.').waitFor();
      await operator.screenshot({ path: join(artifactsDir, 'meeting-open-home.png'), fullPage: true });

      // The official tries before the operator opened: a clear message, no meeting.
      await login(official, server.url, 'Funzionario INPS – Sede provinciale di Sassari', 'Agenda dello sportello');
      const row = official.locator(`[data-appointment-id="${appt.id}"]`);
      const enter = row.getByRole('button', { name: 'Entra nel meeting' });
      await enter.waitFor();
      await enter.click();
      await row.getByText('L’operatore del Comune non ha ancora aperto il meeting. Riprovi tra qualche istante.').waitFor();

      const start = Date.now();
      await open.click();
      await operator.waitForURL(`${server.url}/meeting`);
      assert.ok(!operator.url().includes('token'), 'no token in the address bar');
      await waitFor(() => operator.evaluate(() => window.sportello.state() === 'connected'), { what: 'operator connected' });

      await enter.click();
      await official.waitForURL(`${server.url}/meeting`);
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
      await operator.screenshot({ path: join(artifactsDir, 'meeting-open-operator.png') });
      await official.screenshot({ path: join(artifactsDir, 'meeting-open-official.png') });

      // Both are in the same room, and only there.
      const ids = await Promise.all([operator, official].map((p) => p.evaluate(() => window.sportello.participantId())));
      assert.deepEqual(await operator.evaluate(() => window.sportello.remoteParticipants()), [ids[1]]);
      assert.deepEqual(await official.evaluate(() => window.sportello.remoteParticipants()), [ids[0]]);

      for (const page of [operator, official]) assert.deepEqual(page.problems, []);
    } finally {
      await operator.closeAll();
      await official.closeAll();
    }
  });
});
