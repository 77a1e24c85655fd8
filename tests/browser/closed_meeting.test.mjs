// After the official closes the videochiamata, the operator's card and the official's agenda show
// "Concluso" and offer no "Apri la videochiamata" / "Entra nella videochiamata"; a page still
// showing the button from before the close turns into "Concluso" when it is pressed.
// Opening and closing go through the API from the pages (quick to set up).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, bookToday, checkLayouts, DEMO_NOW, LONG, login, useServerAndBrowser, withPages,
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

describe('a closed videochiamata', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('shows "Concluso" and no action on the operator\'s home and on the agenda', async () => {
    await withPages(t.browser, t.server.url, 2, async (operator, official) => {
      await login(operator, ACCOUNTS.operator);
      const appt = await bookToday(operator);
      await operator.goto('/operatore');
      const card = operator.locator(`[data-appointment-id="${appt.id}"]`);
      const open = card.getByRole('button', { name: 'Apri la videochiamata' });
      await open.waitFor({ timeout: LONG });

      const base = `/v1/booking/appointments/${appt.id}/meeting`;
      assert.equal(await post(operator, base, {}), 200, 'the operator opens');
      await login(official, ACCOUNTS.official);
      assert.equal(await post(official, `${base}/close`, { outcome: 'resolved' }), 200, 'the official closes');

      // The operator's page still shows the button of before: pressing it shows the state.
      await open.click();
      await card.locator('.appt-state').getByText('Concluso', { exact: true }).waitFor({ timeout: LONG });
      assert.equal(await card.getByRole('button').count(), 0, 'no action on a concluded card');

      // Reloaded, the home and the agenda show it from the server's answer, with the outcome.
      await operator.reload();
      await card.locator('.appt-state').getByText('Concluso: Pratica risolta', { exact: true }).waitFor({ timeout: LONG });
      assert.equal(await card.getByRole('button').count(), 0, 'no action on the home');
      await checkLayouts(operator, 'home-concluded');
      await official.goto('/agenda');
      const row = official.locator(`[data-appointment-id="${appt.id}"]`);
      await row.locator('.appt-state').getByText('Concluso: Pratica risolta', { exact: true }).waitFor({ timeout: LONG });
      assert.equal(await row.getByRole('button').count(), 0, 'no action on the agenda');
      await checkLayouts(official, 'agenda-concluded');
      // The kiosk with no videochiamata (a workstation without a citizen session).
      await official.goto('/sportello');
      await official.getByRole('heading', { name: 'Nessuna videochiamata in corso su questa postazione', level: 1 }).waitFor({ timeout: LONG });
      await checkLayouts(official, 'kiosk-idle');
      assertNoProblems(operator, official);
    });
  });
});
