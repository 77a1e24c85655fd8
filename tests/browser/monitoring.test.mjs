// The monitoring pages as their users see them: each referente's dashboard (its scope, the key
// figures, the server-drawn charts loaded, the table; ANCI's counts under 5 shown as "< 5"),
// the grouping by comune, and the user administrator's page of the operators' activity with the
// audit log — each checked at 1366×768, 390×844 and 200% zoom, with axe.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, bookToday, checkLayouts, DEMO_NOW, LONG, login, useServerAndBrowser, withPages,
} from './fixtures.mjs';

const HOME = 'Monitoraggio del servizio';
const REFERENTI = {
  comune: { label: 'Referente del Comune di Villanova Monteleone', home: HOME },
  sardegna: { label: 'Referente INPS – Sardegna', home: HOME },
  anci: { label: 'Referente ANCI', home: HOME },
};
const USER_ADMIN = { label: 'Amministratore utenze del Comune di Villanova Monteleone', home: 'Gestione degli operatori' };

/** The value shown for the key figure `label`. */
function keyFigure(page, label) {
  return page.locator('.key-figure').filter({ has: page.locator('dt', { hasText: label }) }).locator('dd').innerText();
}

/** Whether every chart image on the page loaded (an SVG with a size). */
function chartsLoaded(page) {
  return page.$$eval('.chart img', (imgs) => imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0));
}

describe('monitoring', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('each referente sees the figures of their scope, with charts and a table', async () => {
    await withPages(t.browser, t.server.url, 4, async (operator, comune, sardegna, anci) => {
      await login(operator, ACCOUNTS.operator);
      const first = await bookToday(operator, { index: 0 });
      await bookToday(operator, { index: 1 });
      // A problem reported by the operator, for the referenti.
      const reported = await operator.evaluate(async (id) => {
        const { csrf_token: csrf } = await (await fetch('/v1/session')).json();
        const res = await fetch(`/v1/booking/appointments/${id}/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ kind: 'audio', text: 'Il microfono del chiosco non funzionava.' }),
        });
        return res.status;
      }, first.id);
      assert.equal(reported, 201, 'the operator reports a problem');

      for (const [page, account, name] of [[comune, REFERENTI.comune, 'comune'], [sardegna, REFERENTI.sardegna, 'sardegna'], [anci, REFERENTI.anci, 'anci']]) {
        await login(page, account);
        await page.locator('#figures').waitFor({ timeout: LONG });
        if (name !== 'anci') await page.locator('#mon-reports table').waitFor({ timeout: LONG });
        await page.waitForFunction(() => [...document.querySelectorAll('.chart img')].every((i) => i.complete), null, { timeout: LONG });
        assert.equal(await chartsLoaded(page), true, `${name}: the charts are drawn`);
        const booked = await keyFigure(page, 'Appuntamenti prenotati');
        assert.equal(booked, name === 'anci' ? '< 5' : '2', `${name}: booked`);
        await checkLayouts(page, `monitoring-${name}`);
      }
      assert.match(await comune.locator('#mon-scope').innerText(), /Comune di Villanova Monteleone/);
      assert.match(await sardegna.locator('#mon-scope').innerText(), /Regione Sardegna/);
      await anci.locator('#mon-suppressed').waitFor();
      assert.equal(await anci.locator('#mon-reports').count(), 0, 'ANCI sees no report texts');
      assert.match(await comune.locator('#mon-reports').innerText(), /Il microfono del chiosco non funzionava/);

      // Grouped by comune: a bar chart and one row per comune with appointments.
      await sardegna.locator('#mon-by').selectOption('comune');
      await sardegna.getByRole('button', { name: 'Aggiorna' }).click();
      await sardegna.locator('#figures caption', { hasText: 'Dati per comune' }).waitFor({ timeout: LONG });
      await sardegna.waitForFunction(() => document.querySelector('#chart-groups img')?.complete, null, { timeout: LONG });
      const rows = await sardegna.locator('#figures tbody tr th').allInnerTexts();
      assert.deepEqual(rows, ['Villanova Monteleone', 'Totale']);
      // The CSV download is the same view.
      const csvHref = await sardegna.locator('#mon-csv').getAttribute('href');
      const csv = await sardegna.evaluate(async (href) => (await fetch(href)).text(), csvHref);
      assert.match(csv, /"090078","Villanova Monteleone","2",/);
      assertNoProblems(comune, sardegna, anci);
    });
  });

  test('the user administrator sees the operators\' activity and the audit log', async () => {
    await withPages(t.browser, t.server.url, 1, async (admin) => {
      await login(admin, USER_ADMIN);
      await admin.getByRole('link', { name: 'Attività degli operatori' }).click();
      await admin.getByRole('heading', { name: 'Attività degli operatori', level: 1 }).waitFor({ timeout: LONG });
      await admin.locator('#activity').waitFor({ timeout: LONG });
      const row = admin.locator('#activity tr[data-account="operatore.villanova"]');
      assert.equal(await row.locator('td').first().innerText(), '2', 'two bookings by the operator (first test)');
      await admin.locator('#audit').waitFor({ timeout: LONG });
      await checkLayouts(admin, 'monitoring-activity');
      // The users page offers the comune referente as a role.
      await admin.goto('/utenze');
      await admin.locator('#new-role').waitFor({ timeout: LONG });
      const roles = await admin.locator('#new-role option').allInnerTexts();
      assert.deepEqual(roles, ['Operatore dello sportello', 'Referente del Comune (monitoraggio)']);
      assertNoProblems(admin);
    });
  });
});
