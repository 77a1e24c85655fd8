// "Cambia la password": a staff member changes their own password from the link in the staff
// bar; a wrong current password is said on its field; after the change every session ends and
// the new password opens a new one. The form is checked at three sizes with axe.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, checkLayouts, LONG, passwordLogin, useServerAndBrowser, withPages,
} from './fixtures.mjs';

describe('own password', () => {
  const t = useServerAndBrowser();

  test('the official changes their password from the staff bar', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await passwordLogin(page, 'funzionario.cuneo', 'demo-sportello');
      await page.getByRole('heading', { name: 'Agenda dello sportello', level: 1 }).waitFor({ timeout: LONG });
      await page.getByRole('link', { name: 'Cambia la password' }).click();
      await page.getByRole('heading', { name: 'Cambia la password', level: 1 }).waitFor({ timeout: LONG });
      await checkLayouts(page, 'password');

      await page.getByLabel('Password attuale').fill('non-e-questa-1234');
      await page.getByLabel('Nuova password', { exact: true }).fill('nuova-password-lunga');
      await page.getByLabel('Ripeta la nuova password').fill('nuova-password-lunga');
      await page.getByRole('button', { name: 'Cambia la password' }).click();
      await page.getByText('La password attuale non è corretta.').waitFor({ timeout: LONG });
      assert.equal(await page.getByLabel('Password attuale').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('Password attuale').fill('demo-sportello');
      await page.getByRole('button', { name: 'Cambia la password' }).click();
      await page.getByRole('heading', { name: 'Password cambiata', level: 1 }).waitFor({ timeout: LONG });
      const status = await page.evaluate(async () => (await fetch('/v1/session')).status);
      assert.equal(status, 401, 'the session has ended');
      await page.getByRole('button', { name: 'Vai all’accesso' }).click();
      await passwordLogin(page, 'funzionario.cuneo', 'nuova-password-lunga');
      await page.getByRole('heading', { name: 'Agenda dello sportello', level: 1 }).waitFor({ timeout: LONG });
      assertNoProblems(page);
    });
  });
});
