// "Richiama operatore" with SPID/CIE: on the kiosk, during the videochiamata, the operator signs
// in through the identity provider in a popup window; the kiosk page (and its call) stays, and
// the operator is back in the same connection. Runs against a small in-test OIDC provider.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, bookToday, checkLayouts, DEMO_NOW, launchBrowser, LONG, login, startServer, waitConnected, withPages,
} from './fixtures.mjs';
import { startOidcProvider } from './oidc_provider.mjs';

const SUBJECT = 'TINIT-SRRGLI80A41I452X';

/** A free loopback port (the provider needs the server's callback address before it starts). */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => { resolve(port); }); });
  });
}

/** POSTs JSON from `page` with its session's CSRF token; returns the status. */
function post(page, path, body) {
  return page.evaluate(async ([p, b]) => {
    const { csrf_token: csrf } = await (await fetch('/v1/session')).json();
    const res = await fetch(p, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(b) });
    return res.status;
  }, [path, body]);
}

describe('"Richiama operatore" with SPID/CIE', () => {
  const t = {};
  before(async () => {
    t.idp = await startOidcProvider({ subject: SUBJECT });
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sportello-oidc-'));
    const config = join(dir, 'oidc.toml');
    writeFileSync(config, [
      '[[provider]]', 'name = "spid"', 'label = "Entra con SPID"', `issuer = "${t.idp.issuer}"`,
      `client_id = "${t.idp.clientId}"`, `client_secret = "${t.idp.clientSecret}"`,
      `redirect_url = "http://127.0.0.1:${port}/v1/oidc/spid/callback"`, 'scopes = ["openid"]', '',
    ].join('\n'));
    t.server = await startServer({ listen: `127.0.0.1:${port}`, extraArgs: ['--demo-clock', DEMO_NOW, '--oidc-config', config] });
    t.browser = await launchBrowser();
  });
  after(async () => {
    await t.browser?.close();
    await t.server?.stop();
    await t.idp?.close();
  });

  test('the operator signs in in a popup and is back in the same connection', { timeout: 180_000 }, async () => {
    await withPages(t.browser, t.server.url, 3, async (kiosk, official, admin) => {
      // The comune's user administrator links the operator's digital identity.
      await login(admin, { label: 'Amministratore utenze del Comune di Villanova Monteleone', home: 'Gestione degli operatori' });
      assert.equal(await post(admin, '/v1/identity/oidc-links', { account: 'operatore.villanova', provider: 'spid', subject: SUBJECT }), 201);

      await login(kiosk, ACCOUNTS.operator);
      const appt = await bookToday(kiosk);
      await kiosk.goto('/operatore');
      await kiosk.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Apri la videochiamata' }).click();
      await waitConnected(kiosk);
      await login(official, ACCOUNTS.official);
      await official.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Entra nella videochiamata' }).click();
      await waitConnected(official);
      await kiosk.getByRole('button', { name: 'Passa al cittadino' }).click();
      await kiosk.getByRole('dialog', { name: 'Passare la videochiamata al cittadino?' }).getByRole('button', { name: 'Sì, passa al cittadino' }).click();
      await kiosk.getByRole('button', { name: 'Richiama operatore' }).waitFor({ timeout: LONG });
      const before = await kiosk.evaluate(() => window.sportello.participantId());

      await kiosk.getByRole('button', { name: 'Richiama operatore' }).click();
      const recall = kiosk.getByRole('dialog', { name: 'Accesso dell’operatore' });
      const spid = recall.getByRole('button', { name: 'Entra con SPID' });
      await spid.waitFor({ timeout: LONG });
      await checkLayouts(kiosk, 'recall-spid');
      const popupOpened = kiosk.waitForEvent('popup');
      await spid.click();
      const popup = await popupOpened;
      await popup.waitForEvent('close', { timeout: LONG });
      await recall.waitFor({ state: 'detached', timeout: LONG });
      await official.getByText('L’operatore del Comune è tornato nella videochiamata').waitFor({ timeout: LONG });
      const afterId = await kiosk.evaluate(() => window.sportello.participantId());
      assert.equal(afterId, before, 'the same connection: the call was not torn down');
      const who = await kiosk.evaluate(async () => {
        const s = await (await fetch('/v1/session')).json();
        return [s.role, s.subject];
      });
      assert.deepEqual(who, ['operator', 'operatore.villanova'], 'signed in through SPID as the linked operator');
      assertNoProblems(kiosk, official);
    });
  });
});
