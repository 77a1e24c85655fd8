// The videochiamata day and the booking summary at 1366×768, 390×844 and 200% zoom (`LAYOUTS` of
// the fixtures): no horizontal scroll, every control the element at its own centre, remote tiles
// at least 160 px wide, names never printed vertically, axe-core clean. The kiosk also: the
// official large, one plain sentence, text of 20 px at least, "Richiama operatore" present but
// not the main action. The hold countdown under `--demo-clock` reads at most 5 minutes.
// Screenshots of every state at every size in /tmp/shots-ui.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, bookToday, checkLayouts, confirmSigned, DEMO_NOW, fillToSummary, LONG, login, useServerAndBrowser, waitConnected,
  withPages,
} from './fixtures.mjs';

/** What the kiosk must be for an elderly citizen, at each size (problems, empty when fine). */
function kioskProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const official = document.querySelector('.tile-remote[data-role="official"]');
    const width = official?.getBoundingClientRect().width ?? 0;
    if (width < 0.6 * window.innerWidth) problems.push(`the official's video is ${Math.round(width)} px wide of ${window.innerWidth}`);
    const recall = document.querySelector('#btn-recall');
    if (!recall || recall.hidden) problems.push('no "Richiama operatore"');
    if (document.activeElement === recall) problems.push('"Richiama operatore" has the focus');
    const mic = document.querySelector('#btn-mic');
    if (recall && mic) {
      const area = (el) => { const r = el.getBoundingClientRect(); return r.width * r.height; };
      if (area(recall) >= area(mic)) problems.push('"Richiama operatore" is as big as the microphone button');
    }
    return problems;
  });
}

/** Visible text smaller than 20 px on the page (for the kiosk pages). */
function smallText(page) {
  return page.evaluate(() => {
    const small = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent.trim()) continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1 || el.closest('[hidden], .visually-hidden, script, style')) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 20) small.push(`"${node.textContent.trim().slice(0, 30)}" at ${size} px`);
    }
    return small;
  });
}

const kioskChecks = async (page) => [...await kioskProblems(page), ...await smallText(page)];

/** On the laptop screen the open dialog shows all of itself, its buttons included, without scrolling. */
const dialogFits = (page, layout) => page.evaluate((laptop) => {
  const dialog = document.querySelector('dialog[open]');
  if (!laptop || !dialog) return [];
  return dialog.scrollHeight > dialog.clientHeight + 1 ? [`the dialog scrolls: ${dialog.scrollHeight} > ${dialog.clientHeight}`] : [];
}, layout.name === '1366x768');

describe('layout at 1366×768, 390×844 and 200% zoom', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('lobby, the call of operator, official and kiosk, the handover and close dialogs, the end pages', { timeout: 300_000 }, async () => {
    await withPages(t.browser, t.server.url, 2, async (kiosk, official) => {
      await login(kiosk, ACCOUNTS.operator);
      const appt = await bookToday(kiosk);
      await kiosk.goto('/operatore');
      await kiosk.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Apri la videochiamata' }).click();
      await waitConnected(kiosk);
      await kiosk.locator('#lobby').waitFor({ state: 'visible', timeout: LONG });
      await checkLayouts(kiosk, 'lobby-operator');

      await login(official, ACCOUNTS.official);
      await official.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Entra nella videochiamata' }).click();
      await waitConnected(official);
      await official.locator('.tile-remote[data-role="operator"]').waitFor({ timeout: LONG });
      await kiosk.locator('.tile-remote[data-role="official"]').waitFor({ timeout: LONG });
      await checkLayouts(official, 'call-official');
      await checkLayouts(kiosk, 'call-operator');

      await kiosk.getByRole('button', { name: 'Passa al cittadino' }).click();
      const handover = kiosk.getByRole('dialog', { name: 'Passare la videochiamata al cittadino?' });
      await handover.waitFor();
      await checkLayouts(kiosk, 'handover-dialog', dialogFits);
      await handover.getByRole('button', { name: 'Sì, passa al cittadino' }).click();
      await kiosk.getByRole('button', { name: 'Richiama operatore' }).waitFor({ timeout: LONG });
      await kiosk.getByText('Il funzionario INPS la vede e la sente: parli pure.').waitFor({ timeout: LONG });
      await kiosk.getByRole('button', { name: 'Microfono acceso – prema per spegnerlo' }).waitFor();
      await checkLayouts(kiosk, 'kiosk', kioskChecks);

      await official.getByRole('button', { name: 'Chiudi la videochiamata' }).click();
      const close = official.getByRole('dialog', { name: 'Chiudere la videochiamata?' });
      await close.getByRole('button', { name: 'Chiudi la videochiamata per tutti' }).click();
      await close.getByText('Scelga l’esito dell’appuntamento.').waitFor();
      await checkLayouts(official, 'close-dialog-error', dialogFits);
      await close.locator('label').getByText('Pratica risolta', { exact: true }).click();
      await close.getByRole('button', { name: 'Chiudi la videochiamata per tutti' }).click();
      await official.getByRole('heading', { name: 'Videochiamata chiusa', level: 1 }).waitFor({ timeout: LONG });
      await official.getByRole('button', { name: 'Segnala un problema' }).waitFor();
      await checkLayouts(official, 'official-closed');
      // "Segnala un problema" after the close: the kind, a text, sent.
      await official.getByRole('button', { name: 'Segnala un problema' }).click();
      const report = official.getByRole('dialog', { name: 'Segnala un problema' });
      await report.getByRole('button', { name: 'Invia la segnalazione' }).click();
      await report.getByText('Scelga il tipo di problema.').waitFor();
      await checkLayouts(official, 'report-dialog', dialogFits);
      await report.locator('label').getByText(/^Audio/).click();
      await report.getByLabel(/Che cosa è successo/).fill('Eco durante la chiamata.');
      await report.getByRole('button', { name: 'Invia la segnalazione' }).click();
      await report.getByText('Segnalazione inviata. Grazie.').waitFor({ timeout: LONG });
      await report.getByRole('button', { name: 'Chiudi' }).click();
      await report.waitFor({ state: 'detached' });
      await kiosk.getByRole('heading', { name: 'Com’è andata la videochiamata?', level: 1 }).waitFor({ timeout: LONG });
      await checkLayouts(kiosk, 'kiosk-feedback', smallText);
      await kiosk.getByRole('button', { name: 'Salta' }).click();
      await kiosk.getByRole('heading', { name: 'La videochiamata è terminata. Grazie.', level: 1 }).waitFor({ timeout: LONG });
      await checkLayouts(kiosk, 'kiosk-ended', smallText);
      assertNoProblems(kiosk, official);
    });
  });

  test('the booking summary and its countdown (at most 5:00 under --demo-clock), the confirmation', { timeout: 180_000 }, async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await login(page, ACCOUNTS.operator);
      await fillToSummary(page, { given: 'Giuseppe', family: 'Rossi', cf: 'RSSGPP48C12L989V' });
      const clock = (await page.locator('.countdown-value').textContent()).trim();
      const [minutes, seconds] = clock.split(':').map(Number);
      console.log(`countdown under --demo-clock: ${clock}`);
      assert.ok(minutes * 60 + seconds <= 300 && minutes * 60 + seconds >= 240, `the countdown reads ${clock}`);
      await checkLayouts(page, 'booking-summary');
      await confirmSigned(page);
      await page.getByRole('button', { name: 'Prenota' }).click();
      await page.getByRole('heading', { name: 'Appuntamento confermato' }).waitFor({ timeout: LONG });
      await checkLayouts(page, 'booking-confirmation');
      assertNoProblems(page);
    });
  });
});
