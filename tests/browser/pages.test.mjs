// Landing and meeting pages: screenshots for a human look, axe-core accessibility check.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  artifactsDir, inboundStats, launchBrowser, meetingUrl, newParticipantPage, startServer, waitFor,
} from './harness.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe-core on the page; returns the serious and critical violations. */
async function axeViolations(page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}

describe('pages', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('landing page: Italian form, screenshot, no serious accessibility violation', async () => {
    // axe is injected as a script tag: let it past the page's CSP (for this check only).
    const page = await newParticipantPage(browser, server.url, { bypassCSP: true });
    try {
      await page.goto(`${server.url}/`);
      await page.getByRole('heading', { name: 'Entra nella videochiamata' }).waitFor();
      assert.equal(await page.getByLabel('Nome della stanza').inputValue(), 'demo');
      await page.getByLabel('Il suo nome').fill('Giuseppe Verdi');
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(artifactsDir, 'landing.png'), fullPage: true });
      const violations = await axeViolations(page);
      assert.deepEqual(violations, []);
      assert.deepEqual(page.problems, []);
    } finally {
      await page.closeAll();
    }
  });

  test('landing page: "Entra nella stanza" joins the meeting', async () => {
    const page = await newParticipantPage(browser, server.url);
    try {
      await page.goto(`${server.url}/?room=landing-join`);
      await page.getByLabel('Il suo nome').fill('Giuseppe Verdi');
      await page.getByLabel('Ruolo').selectOption('operator');
      await page.getByRole('button', { name: 'Entra nella stanza' }).click();
      await page.getByText('Connesso', { exact: true }).waitFor({ timeout: 10_000 });
      await page.getByText('In attesa degli altri partecipanti…').waitFor();
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(artifactsDir, 'meeting-alone.png') });
      assert.deepEqual(page.problems, []);
    } finally {
      await page.closeAll();
    }
  });

  test('landing page: a missing name is explained', async () => {
    const page = await newParticipantPage(browser, server.url);
    try {
      await page.goto(`${server.url}/`);
      await page.getByRole('button', { name: 'Entra nella stanza' }).click();
      await page.getByRole('alert').getByText('Scriva il suo nome per entrare.').waitFor();
    } finally {
      await page.closeAll();
    }
  });

  test('meeting page with two participants: no serious accessibility violation', async () => {
    const mario = await newParticipantPage(browser, server.url, { bypassCSP: true });
    const anna = await newParticipantPage(browser, server.url);
    try {
      await mario.goto(meetingUrl(server.url, { room: 'a11y', name: 'Mario Rossi', role: 'citizen', autojoin: '1' }));
      await anna.goto(meetingUrl(server.url, { room: 'a11y', name: 'Anna Bianchi', role: 'official', autojoin: '1' }));
      await waitFor(async () => (await inboundStats(mario)).framesDecoded > 10, { what: 'video at Mario' });
      await anna.getByRole('button', { name: /Videocamera/ }).click();
      await mario.getByText('Videocamera spenta').first().waitFor({ timeout: 5_000 });
      await mario.screenshot({ path: join(artifactsDir, 'meeting-camera-off.png') });
      const violations = await axeViolations(mario);
      assert.deepEqual(violations, []);
      assert.deepEqual([...mario.problems, ...anna.problems], []);
    } finally {
      await mario.closeAll();
      await anna.closeAll();
    }
  });
});
