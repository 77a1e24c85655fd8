// Identity in the browser: password login on /accesso (operator home, wrong password, revoked,
// not yet valid, expired), the OIDC error codes of /accesso?errore=, the page without demo mode,
// and the comune's user administrator on /utenze (list, enable a new operator, revoke, re-enable,
// change the validity days), with screenshots and axe-core checks.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, axeViolations, LONG, login, passwordLogin, screenshot, SHOTS_DIR, useServerAndBrowser, waitFor,
  withPages,
} from './fixtures.mjs';

const PASSWORD = 'demo-sportello';
const NEW_OPERATOR = 'operatore.nuovo';
const NEW_PASSWORD = 'Primavera-sul-lago-2026';
/** Full-page screenshots `<name>.png` in /tmp/shots and `identity-<name>.png` in the artifacts. */
async function shot(page, name) {
  await screenshot(page, name, { fullPage: true, dir: SHOTS_DIR });
  await screenshot(page, `identity-${name}`, { fullPage: true });
}


/** The visible login error of the password form. */
function loginAlert(page) {
  return page.locator('#password-login-error');
}

async function sessionStatus(page) {
  return page.evaluate(async () => (await fetch('/v1/session')).status);
}

function row(page, account) {
  return page.locator(`#operators tr[data-account="${account}"]`);
}

async function logout(page) {
  await page.getByRole('button', { name: 'Esci dall’account' }).click();
  await page.getByRole('heading', { name: 'Accesso', level: 1 }).waitFor({ timeout: LONG });
}

/** "Modifica" of `account`: fills the two dates ('' clears one) and saves. */
async function setValidity(page, account, from, until) {
  await row(page, account).getByRole('button', { name: 'Modifica' }).click();
  const dialog = page.getByRole('dialog', { name: `Modifica l’accesso di ${account}` });
  await dialog.waitFor();
  await dialog.getByLabel('Valido dal').fill(from);
  await dialog.getByLabel('Valido fino al').fill(until);
  await dialog.getByRole('button', { name: 'Salva' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('#users-notice').getByText(`Accesso di ${account} aggiornato`).waitFor();
}

describe('identity', () => {
  const t = useServerAndBrowser();

  test('/accesso: password form, demo chooser with the user administrator, screenshot, axe', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await page.goto('/accesso');
      await page.getByRole('heading', { name: 'Accesso', level: 1 }).waitFor({ timeout: LONG });
      assert.equal(await page.getByLabel('Nome utente').getAttribute('autocomplete'), 'username');
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('autocomplete'), 'current-password');
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('type'), 'password');
      // Bootstrap Italia draws the checkbox on its label: click that, as a person would.
      const show = page.locator('label').getByText('Mostra la password', { exact: true });
      await show.click();
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('type'), 'text');
      await show.click();
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('type'), 'password');
      const comuni = page.getByRole('group', { name: 'Comuni' });
      await comuni.getByLabel('Amministratore utenze del Comune di Villanova Monteleone').waitFor();
      await comuni.getByLabel('Operatore del Comune di Villanova Monteleone').waitFor();
      // Empty fields are explained before anything is sent.
      await page.getByRole('button', { name: 'Accedi', exact: true }).click();
      await page.getByText('Scriva il suo nome utente.').waitFor();
      await shot(page, 'accesso');
      assert.deepEqual(await axeViolations(page), []);
      assertNoProblems(page);
    });
  });

  test('password login: the operator lands on the operator home; a wrong password is refused in Italian', async () => {
    await withPages(t.browser, t.server.url, 2, async (page, wrong) => {
      await passwordLogin(page, 'operatore.villanova', PASSWORD);
      await page.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor({ timeout: LONG });
      assert.match(page.url(), /\/operatore$/);
      await page.getByText('Operatore del Comune di Villanova Monteleone').waitFor();

      // Capitals typed by habit are forgiven (account ids are lower case).
      await passwordLogin(wrong, 'Operatore.Villanova', 'password-sbagliata');
      await loginAlert(wrong).getByText('Nome utente o password non corretti').waitFor({ timeout: LONG });
      assert.equal(await wrong.evaluate(() => document.activeElement?.id), 'password-login-error', 'focus on the alert');
      assert.equal(await wrong.getByLabel('Password', { exact: true }).inputValue(), '', 'the wrong password is cleared');
      assert.match(wrong.url(), /\/accesso$/);
      assert.equal(await sessionStatus(wrong), 401, 'still logged out');
      await shot(wrong, 'accesso-password-errata');
      assertNoProblems(page, wrong);
    });
  });

  test('/accesso?errore=: Italian text per OIDC code, a generic one (as text) for anything else', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await page.goto('/accesso?errore=oidc_not_linked&torna=%2Foperatore');
      const alert = page.locator('#oidc-error');
      await alert.getByText('Questa identità digitale non è abilitata per nessun profilo', { exact: false }).waitFor({ timeout: LONG });
      await alert.getByText('Amministratore utenze', { exact: false }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'oidc-error');
      // The code leaves the address bar (a reload does not repeat the message); torna stays.
      assert.match(page.url(), /\/accesso\?torna=%2Foperatore$/);

      await page.goto('/accesso?errore=oidc_state');
      await page.locator('#oidc-error').getByText('Il tentativo di accesso è scaduto', { exact: false }).waitFor({ timeout: LONG });

      await page.goto('/accesso?errore=oidc_acr');
      await page.locator('#oidc-error').getByText('livello di sicurezza troppo basso', { exact: false }).waitFor({ timeout: LONG });

      const evil = '<img src=x onerror="window.__pwned=1">';
      await page.goto(`/accesso?errore=${encodeURIComponent(evil)}`);
      await page.locator('#oidc-error').getByText('L’accesso non è riuscito.', { exact: false }).waitFor({ timeout: LONG });
      assert.equal(await page.locator('#oidc-error img').count(), 0);
      assert.equal(await page.getByText('onerror', { exact: false }).count(), 0, 'the raw code is not shown');
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assertNoProblems(page);
    });
  });

  test('without demo mode: no chooser, no error; OIDC providers as links; 429 says how long to wait', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      // A production server: the demo routes are 404, the server offers an identity provider.
      const json = (status, body, headers = {}) => ({
        status, contentType: 'application/json', headers, body: JSON.stringify(body),
      });
      await page.route('**/v1/demo/accounts', (r) => r.fulfill(json(404, { code: 'not_found', message: 'not found' })));
      await page.route('**/v1/oidc/providers', (r) => r.fulfill(json(200, [{ name: 'spid', label: 'Entra con SPID' }])));
      await page.route('**/v1/login', (r) => r.fulfill(json(429, { code: 'too_many_attempts', message: 'slow down' }, { 'retry-after': '150' })));
      await page.goto('/accesso?torna=%2Fagenda');
      await page.getByRole('heading', { name: 'Accesso', level: 1 }).waitFor({ timeout: LONG });
      const spid = page.getByRole('link', { name: 'Entra con SPID' });
      await spid.waitFor();
      assert.equal(await spid.getAttribute('href'), '/v1/oidc/spid/start?torna=%2Fagenda');
      await page.getByLabel('Nome utente').waitFor();
      assert.equal(await page.getByRole('radio').count(), 0, 'no demo chooser');
      assert.equal(await page.getByRole('alert').count(), 0, 'no error shown');
      await shot(page, 'accesso-produzione');

      await page.getByLabel('Nome utente').fill('operatore.villanova');
      await page.getByLabel('Password', { exact: true }).fill('tentativo');
      await page.getByRole('button', { name: 'Accedi', exact: true }).click();
      await loginAlert(page).getByText('attenda 3 minuti e riprovi', { exact: false }).waitFor();
      assertNoProblems(page);
    });
  });

  test('the INPS administrator reaches /utenze from /admin and sees the operators of every comune', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await login(page, ACCOUNTS.inpsAdmin);
      await page.getByRole('link', { name: 'Gestione degli operatori dei Comuni' }).click();
      await page.getByRole('heading', { name: 'Gestione degli operatori', level: 1 }).waitFor({ timeout: LONG });
      await page.getByRole('columnheader', { name: 'Comune' }).waitFor();
      await row(page, 'operatore.alghero').getByText('Alghero', { exact: true }).waitFor();
      await row(page, 'operatore.villanova').waitFor();
      // The INPS administrator picks a new account's comune by its name.
      await page.getByLabel('Comune', { exact: true }).waitFor();
      // And back to the INPS administration.
      await page.getByRole('link', { name: 'Torna all’amministrazione INPS' }).click();
      await page.getByRole('heading', { name: 'Amministrazione INPS', level: 1 }).waitFor({ timeout: LONG });
      assertNoProblems(page);
    });
  });

  test('the user administrator enables, revokes, re-enables an operator and sets the days it may log in', async () => {
    await withPages(t.browser, t.server.url, 2, async (admin, op) => {
      const csrfSent = [];
      admin.on('request', (req) => {
        if (req.method() !== 'GET' && new URL(req.url()).pathname.startsWith('/v1/identity/')) {
          csrfSent.push(Boolean(req.headers()['x-csrf-token']));
        }
      });
      // — The user administrator's home is /utenze, with the comune's operators.
      await passwordLogin(admin, 'utenze.villanova', PASSWORD);
      await admin.getByRole('heading', { name: 'Gestione degli operatori', level: 1 }).waitFor({ timeout: LONG });
      assert.match(admin.url(), /\/utenze$/);
      await admin.getByText('Comune di Villanova Monteleone', { exact: true }).waitFor();
      await row(admin, 'operatore.villanova').getByText('Attivo', { exact: true }).waitFor();
      // Each operator by the person's name, with the account under it.
      await row(admin, 'operatore.villanova').getByRole('rowheader').getByText('Giulia Serra').waitFor();
      assert.equal(await row(admin, 'operatore.alghero').count(), 0, 'only the own comune');

      // — Checked before sending: the name is missing, the password is too short.
      await admin.getByLabel('Nome utente').fill(NEW_OPERATOR);
      await admin.getByLabel('Password iniziale').fill('corta');
      await admin.getByRole('button', { name: 'Abilita l’operatore' }).click();
      await admin.getByText('La password deve avere almeno 12 caratteri.').waitFor();
      assert.equal(await admin.getByLabel('Password iniziale').getAttribute('aria-invalid'), 'true');
      await admin.getByText('Scriva il nome e il cognome dell’operatore.').waitFor();
      assert.equal(await admin.getByLabel('Nome e cognome').getAttribute('aria-invalid'), 'true');

      // — Name the new operator, with the act authorising the data processing: INPS enables it.
      await admin.getByLabel('Nome e cognome').fill('Maria Sanna');
      await admin.getByLabel('Password iniziale').fill(NEW_PASSWORD);
      await admin.getByLabel('Data dell’atto di autorizzazione al trattamento dei dati').fill('2026-11-20');
      await admin.getByLabel('Estremi dell’atto').fill('Decreto sindacale n. 12/2026');
      await admin.getByRole('button', { name: 'Abilita l’operatore' }).click();
      await admin.locator('#users-notice').getByText(`L’operatore Maria Sanna (nome utente ${NEW_OPERATOR}) è stato registrato`, { exact: false }).waitFor({ timeout: LONG });
      await row(admin, NEW_OPERATOR).getByText('In attesa di abilitazione INPS', { exact: true }).waitFor();
      await row(admin, NEW_OPERATOR).getByText('Maria Sanna').waitFor();
      await row(admin, NEW_OPERATOR).getByText('Decreto sindacale n. 12/2026', { exact: false }).waitFor();
      assert.equal(await admin.getByLabel('Nome utente').inputValue(), '', 'the form is emptied');

      // — The same name again: the server's answer, in Italian, on the field.
      await admin.getByLabel('Nome e cognome').fill('Maria Sanna');
      await admin.getByLabel('Nome utente').fill(NEW_OPERATOR);
      await admin.getByLabel('Password iniziale').fill(NEW_PASSWORD);
      await admin.getByRole('button', { name: 'Abilita l’operatore' }).click();
      await admin.getByText('Esiste già un operatore con questo nome utente.', { exact: false }).waitFor({ timeout: LONG });
      // The success of the previous action is gone: it no longer stands beside the new error.
      assert.equal(await admin.locator('#users-notice').isVisible(), false, 'the old success message is cleared');
      await admin.getByLabel('Nome e cognome').fill('');
      await admin.getByLabel('Nome utente').fill('');
      await admin.getByLabel('Password iniziale').fill('');
      await shot(admin, 'utenze');
      assert.deepEqual(await axeViolations(admin), []);

      // — Log out; the new operator cannot log in until INPS enables it.
      await logout(admin);
      await passwordLogin(admin, NEW_OPERATOR, NEW_PASSWORD);
      await loginAlert(admin).getByText('l’INPS non l’ha ancora abilitato', { exact: false }).waitFor({ timeout: LONG });
      // — The INPS administrator enables it for the PUE.
      await passwordLogin(admin, 'admin.inps', PASSWORD);
      await admin.getByRole('heading', { name: 'Amministrazione INPS', level: 1 }).waitFor({ timeout: LONG });
      await admin.goto('/utenze');
      await row(admin, NEW_OPERATOR).getByRole('button', { name: 'Abilita al PUE' }).click();
      await admin.locator('#users-notice').getByText('è abilitato al Punto Utente Evoluto', { exact: false }).waitFor({ timeout: LONG });
      await row(admin, NEW_OPERATOR).getByText('Attivo', { exact: true }).waitFor();
      await logout(admin);
      // — Now the new operator logs in with the password.
      await passwordLogin(admin, NEW_OPERATOR, NEW_PASSWORD);
      await admin.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor({ timeout: LONG });

      // — The new operator works from another workstation; the administrator (here) revokes it.
      await passwordLogin(op, NEW_OPERATOR, NEW_PASSWORD);
      await op.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor({ timeout: LONG });
      await logout(admin);
      await passwordLogin(admin, 'utenze.villanova', PASSWORD);
      await admin.getByRole('heading', { name: 'Gestione degli operatori', level: 1 }).waitFor({ timeout: LONG });
      await row(admin, NEW_OPERATOR).getByRole('button', { name: 'Revoca' }).click();
      const confirm = admin.getByRole('dialog', { name: `Revocare l’accesso di ${NEW_OPERATOR}?` });
      await confirm.waitFor();
      await shot(admin, 'utenze-revoca');
      // "Annulla" changes nothing.
      await confirm.getByRole('button', { name: 'Annulla' }).click();
      await confirm.waitFor({ state: 'detached' });
      await row(admin, NEW_OPERATOR).getByText('Attivo', { exact: true }).waitFor();
      await row(admin, NEW_OPERATOR).getByRole('button', { name: 'Revoca' }).click();
      await confirm.getByRole('button', { name: 'Sì, revoca l’accesso' }).click();
      await admin.locator('#users-notice').getByText(`L’accesso di ${NEW_OPERATOR} è stato revocato.`).waitFor({ timeout: LONG });
      await row(admin, NEW_OPERATOR).getByText('Revocato', { exact: true }).waitFor();

      // Its session ended at once: the operator pages ask to log in again, and the login says why not.
      await waitFor(async () => (await sessionStatus(op)) === 401, { timeoutMs: 5_000, what: 'the revoked operator’s session is gone' });
      await op.goto('/operatore');
      await op.getByRole('heading', { name: 'Accesso', level: 1 }).waitFor({ timeout: LONG });
      await passwordLogin(op, NEW_OPERATOR, NEW_PASSWORD);
      await loginAlert(op).getByText('Il suo accesso è stato revocato.', { exact: false }).waitFor({ timeout: LONG });
      await shot(op, 'accesso-revocato');

      // — "Riabilita", then days in the future: not yet valid.
      await row(admin, NEW_OPERATOR).getByRole('button', { name: 'Riabilita' }).click();
      await admin.locator('#users-notice').getByText(`L’accesso di ${NEW_OPERATOR} è stato riabilitato.`, { exact: false }).waitFor({ timeout: LONG });
      await row(admin, NEW_OPERATOR).getByText('Attivo', { exact: true }).waitFor();

      // The end before the start is explained in the dialog, before anything is sent.
      await row(admin, NEW_OPERATOR).getByRole('button', { name: 'Modifica' }).click();
      const edit = admin.getByRole('dialog', { name: `Modifica l’accesso di ${NEW_OPERATOR}` });
      // The name is there to correct, and cannot be emptied.
      assert.equal(await edit.getByLabel('Nome e cognome').inputValue(), 'Maria Sanna');
      await edit.getByLabel('Nome e cognome').fill(' ');
      await edit.getByRole('button', { name: 'Salva' }).click();
      await edit.getByText('Scriva il nome e il cognome dell’operatore.').waitFor();
      await edit.getByLabel('Nome e cognome').fill('Maria Grazia Sanna');
      await edit.getByLabel('Valido dal').fill('2099-03-10');
      await edit.getByLabel('Valido fino al').fill('2099-03-01');
      await edit.getByRole('button', { name: 'Salva' }).click();
      await edit.getByText('La data di fine non può essere prima della data di inizio.').waitFor();
      await shot(admin, 'utenze-validita');
      await edit.getByRole('button', { name: 'Annulla' }).click();
      await edit.waitFor({ state: 'detached' });

      await setValidity(admin, NEW_OPERATOR, '2099-01-01', '');
      await row(admin, NEW_OPERATOR).getByText('Non ancora valido', { exact: true }).waitFor();
      await row(admin, NEW_OPERATOR).getByText('01/01/2099', { exact: true }).waitFor();
      await passwordLogin(op, NEW_OPERATOR, NEW_PASSWORD);
      await loginAlert(op).getByText('Il suo accesso non è ancora attivo.', { exact: false }).waitFor({ timeout: LONG });

      // — Days in the past: expired.
      await setValidity(admin, NEW_OPERATOR, '', '2020-01-31');
      await row(admin, NEW_OPERATOR).getByText('Scaduto', { exact: true }).waitFor();
      await passwordLogin(op, NEW_OPERATOR, NEW_PASSWORD);
      await loginAlert(op).getByText('Il suo accesso è scaduto.', { exact: false }).waitFor({ timeout: LONG });

      // — No limits again: it can log in.
      await setValidity(admin, NEW_OPERATOR, '', '');
      await row(admin, NEW_OPERATOR).getByText('Attivo', { exact: true }).waitFor();
      await passwordLogin(op, NEW_OPERATOR, NEW_PASSWORD);
      await op.getByRole('heading', { name: 'Area operatore', level: 1 }).waitFor({ timeout: LONG });

      assert.ok(csrfSent.length >= 5, `identity writes seen: ${csrfSent.length}`);
      assert.ok(csrfSent.every(Boolean), 'every identity write carries x-csrf-token');
      // The server refuses a write of the staff session without the token.
      const bare = await admin.evaluate(async (account) => {
        const r = await fetch(`/v1/identity/operators/${account}/revoke`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
        });
        return { status: r.status, code: (await r.json().catch(() => ({}))).code };
      }, NEW_OPERATOR);
      assert.deepEqual(bare, { status: 403, code: 'csrf_failed' });
      assertNoProblems(admin, op);
    });
  });
});
