// Citizen → INPS documents in the call: the operator sends a PDF from the meeting page (with a
// progress bar), the official sees it arrive without reloading and downloads it; a PNG named
// .pdf is refused in Italian; the operator attests the copy and the official sees it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS, assertNoProblems, bookToday, checkLayouts, DEMO_NOW, LONG, login, screenshot, useServerAndBrowser, waitConnected,
  withPages,
} from './fixtures.mjs';

/** A small valid PDF of one page (the same as the API tests'). */
function pdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    '<< /Length 38 >>\nstream\nBT /F1 12 Tf 72 712 Td (Domanda) Tj ET\nendstream',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

describe('documents', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('the operator sends a PDF, the official sees it arrive and downloads it; attestation; a refusal', { timeout: 180_000 }, async () => {
    await withPages(t.browser, t.server.url, 2, async (operator, official) => {
      await login(operator, ACCOUNTS.operator);
      const appt = await bookToday(operator);
      await operator.goto('/operatore');
      await operator.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Apri la videochiamata' }).click();
      await waitConnected(operator);
      await login(official, ACCOUNTS.official);
      await official.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Entra nella videochiamata' }).click();
      await waitConnected(official);
      const received = official.locator('.documents-panel');
      await received.getByText('Nessun documento ricevuto.').waitFor({ timeout: LONG });

      // A PNG named .pdf: refused, said in Italian, nothing arrives.
      const panel = operator.locator('.documents-panel');
      const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(256)]);
      await panel.getByLabel('Documento del cittadino').setInputFiles({ name: 'foto.pdf', mimeType: 'application/pdf', buffer: png });
      await panel.getByRole('button', { name: 'Invia all’INPS' }).click();
      await panel.getByRole('alert').getByText('Il file non è un PDF né un file firmato .p7m.', { exact: false }).waitFor({ timeout: LONG });

      // A real PDF: sent, listed on both sides (the official's page is told by the server).
      await panel.getByLabel('Documento del cittadino').setInputFiles({ name: 'Domanda pensione.pdf', mimeType: 'application/pdf', buffer: pdf() });
      await panel.getByRole('button', { name: 'Invia all’INPS' }).click();
      await panel.getByText('«Domanda pensione.pdf» è stato inviato all’INPS.').waitFor({ timeout: LONG });
      assert.equal(await panel.getByRole('alert').isVisible(), false, 'the earlier refusal is gone');
      await received.locator('.doc-name').getByText('Domanda pensione.pdf').waitFor({ timeout: LONG });
      await received.getByText('PDF, 1 kB, 1 pagina').waitFor();

      const [download] = await Promise.all([
        official.waitForEvent('download'),
        received.getByRole('link', { name: 'Scarica Domanda pensione.pdf' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'Domanda pensione.pdf');
      const { readFile } = await import('node:fs/promises');
      assert.deepEqual(await readFile(await download.path()), pdf(), 'the same bytes');

      // The operator attests the copy; the official sees it.
      await panel.getByRole('button', { name: 'Attesta conforme all’originale Domanda pensione.pdf' }).click();
      await panel.getByText('Copia conforme all’originale (attestata da operatore.villanova).').waitFor({ timeout: LONG });
      await received.getByText('Copia conforme all’originale (attestata da operatore.villanova).').waitFor({ timeout: LONG });

      await screenshot(operator, 'documents-operator', { fullPage: true });
      await screenshot(official, 'documents-official', { fullPage: true });
      // Every control reachable, no horizontal scroll, axe clean, at the three sizes.
      await checkLayouts(operator, 'documents-operator');
      await checkLayouts(official, 'documents-official');
      assertNoProblems(operator, official);
    });
  });
});

describe('documents to print', () => {
  const t = useServerAndBrowser({ extraArgs: ['--demo-clock', DEMO_NOW] });

  test('the official sends a PDF to print: the kiosk shows it with "Stampa", "Ho finito" drops it', { timeout: 180_000 }, async () => {
    await withPages(t.browser, t.server.url, 2, async (kiosk, official) => {
      await login(kiosk, ACCOUNTS.operator);
      const appt = await bookToday(kiosk);
      await kiosk.goto('/operatore');
      await kiosk.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Apri la videochiamata' }).click();
      await waitConnected(kiosk);
      await login(official, ACCOUNTS.official);
      await official.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Entra nella videochiamata' }).click();
      await waitConnected(official);
      // "Passa al cittadino".
      await kiosk.getByRole('button', { name: 'Passa al cittadino' }).click();
      const dialog = kiosk.getByRole('dialog', { name: 'Passare la videochiamata al cittadino?' });
      await dialog.getByRole('button', { name: 'Sì, passa al cittadino' }).click();
      await kiosk.getByRole('button', { name: 'Richiama operatore' }).waitFor({ timeout: LONG });
      assert.equal(await kiosk.locator('.documents-panel').count(), 0, 'no upload form for the citizen');

      const panel = official.locator('.documents-panel');
      await panel.getByLabel('Documento da stampare').setInputFiles({ name: 'Estratto conto.pdf', mimeType: 'application/pdf', buffer: pdf() });
      const shown = kiosk.waitForResponse((r) => r.url().includes('/v1/citizen/prints/') && r.request().method() === 'GET');
      await panel.getByRole('button', { name: 'Invia da stampare' }).click();
      await panel.getByText('«Estratto conto.pdf» è stato inviato al Comune per la stampa.').waitFor({ timeout: LONG });

      const print = kiosk.getByRole('dialog', { name: 'Documento da stampare' });
      await print.waitFor({ timeout: LONG });
      await print.getByText('L’INPS le ha mandato «Estratto conto.pdf».', { exact: false }).waitFor();
      const res = await shown;
      assert.equal(res.status(), 200);
      assert.equal(res.headers()['content-type'], 'application/pdf');
      assert.equal(res.headers()['cache-control'], 'no-store');
      await print.getByRole('button', { name: 'Stampa' }).waitFor();
      await screenshot(kiosk, 'print-kiosk', { fullPage: true });
      await checkLayouts(kiosk, 'print-dialog');

      await print.getByRole('button', { name: 'Ho finito' }).click();
      await print.waitFor({ state: 'hidden', timeout: LONG });
      assert.deepEqual(await kiosk.evaluate(async () => (await fetch('/v1/citizen/prints')).json()), [], 'dropped on the server');
      assertNoProblems(official);
    });
  });
});
