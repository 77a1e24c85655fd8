// The INPS administrator on "Gestione degli operatori": creates an official bound to a Sede and an
// operator of a comune picked by name (enabled at once: INPS does both steps), and the page is
// checked at three sizes with axe.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, checkLayouts, LONG, login, passwordLogin, useServerAndBrowser, withPages,
} from './fixtures.mjs';

describe('staff accounts by the INPS administrator', () => {
  const t = useServerAndBrowser();

  test('an official of a Sede and an operator of a comune picked by name', async () => {
    await withPages(t.browser, t.server.url, 2, async (admin, other) => {
      await login(admin, ACCOUNTS.inpsAdmin);
      await admin.goto('/utenze');
      await admin.locator('#new-role').waitFor({ timeout: LONG });

      // An official of the Sede di Cuneo.
      await admin.locator('#new-role').selectOption('official');
      await admin.getByLabel('Nome e cognome').fill('Lucia Bertola');
      await admin.getByLabel('Nome utente').fill('funzionaria.bertola');
      await admin.getByLabel('Password iniziale').fill('una-password-lunga');
      await admin.getByRole('button', { name: 'Abilita l’operatore' }).click();
      await admin.getByText('Scelga la Sede o il Polo del funzionario.').waitFor({ timeout: LONG });
      const cuneo = await admin.locator('#new-sede option', { hasText: 'Cuneo' }).first().getAttribute('value');
      await admin.locator('#new-sede').selectOption(cuneo);
      await admin.getByRole('button', { name: 'Abilita l’operatore' }).click();
      await admin.locator('#operators tr[data-account="funzionaria.bertola"]').waitFor({ timeout: LONG });

      // An operator of Alghero, the comune picked by its name.
      await admin.locator('#new-role').selectOption('operator');
      await admin.getByLabel('Nome e cognome').fill('Mario Piras');
      await admin.getByLabel('Nome utente').fill('operatore.piras');
      await admin.getByLabel('Password iniziale').fill('una-password-lunga');
      await admin.getByLabel('Comune', { exact: true }).fill('Algh');
      await admin.locator('#new-comune-choice').waitFor({ timeout: LONG });
      assert.match(await admin.locator('#new-comune-choice').innerText(), /Alghero \(SS\)/);
      await checkLayouts(admin, 'utenze-inps');
      await admin.getByRole('button', { name: 'Abilita l’operatore' }).click();
      const row = admin.locator('#operators tr[data-account="operatore.piras"]');
      await row.getByText('Attivo', { exact: true }).waitFor({ timeout: LONG });

      // Both log in with their passwords.
      await passwordLogin(other, 'funzionaria.bertola', 'una-password-lunga');
      await other.getByRole('heading', { name: 'Agenda dello sportello', level: 1 }).waitFor({ timeout: LONG });
      await other.getByRole('button', { name: 'Esci dall’account' }).click();
      await other.getByRole('heading', { name: 'Accesso', level: 1 }).waitFor({ timeout: LONG });
      await passwordLogin(other, 'operatore.piras', 'una-password-lunga');
      await other.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor({ timeout: LONG });
      assert.match(await other.getByText('Comune di Alghero').first().innerText(), /Alghero/);
      assertNoProblems(admin, other);
    });
  });
});
