// Landing and meeting pages: screenshots for a human look, axe-core accessibility check.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, axeViolations, inboundStats, meetingUrl, screenshot, useServerAndBrowser, waitFor, withPages,
} from './fixtures.mjs';

describe('pages', () => {
  const t = useServerAndBrowser();

  test('landing page: Italian form, screenshot, no serious accessibility violation', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Entra nella videochiamata' }).waitFor();
      assert.equal(await page.getByLabel('Nome della videochiamata').inputValue(), 'demo');
      await page.getByLabel('Il suo nome').fill('Giuseppe Verdi');
      await screenshot(page, 'landing', { fullPage: true });
      const violations = await axeViolations(page);
      assert.deepEqual(violations, []);
      assertNoProblems(page);
    });
  });

  test('landing page: "Entra nella videochiamata" joins the meeting', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await page.goto('/?room=landing-join');
      await page.getByLabel('Il suo nome').fill('Giuseppe Verdi');
      await page.getByLabel('Ruolo').selectOption('operator');
      await page.getByRole('button', { name: 'Entra nella videochiamata' }).click();
      await page.getByText('Connesso', { exact: true }).waitFor({ timeout: 10_000 });
      await page.getByText('In attesa degli altri partecipanti…').waitFor();
      await screenshot(page, 'meeting-alone');
      assertNoProblems(page);
    });
  });

  test('landing page: a missing name is explained', async () => {
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await page.goto('/');
      await page.getByRole('button', { name: 'Entra nella videochiamata' }).click();
      await page.getByRole('alert').getByText('Scriva il suo nome per entrare.').waitFor();
    });
  });

  test('meeting page with two participants: no serious accessibility violation', async () => {
    await withPages(t.browser, t.server.url, 2, async (mario, anna) => {
      await mario.goto(meetingUrl(t.server.url, { room: 'a11y', name: 'Mario Rossi', role: 'citizen', autojoin: '1' }));
      await anna.goto(meetingUrl(t.server.url, { room: 'a11y', name: 'Anna Bianchi', role: 'official', autojoin: '1' }));
      await waitFor(async () => (await inboundStats(mario)).framesDecoded > 10, { what: 'video at Mario' });
      await anna.getByRole('button', { name: /Videocamera/ }).click();
      await mario.getByText('Videocamera spenta').first().waitFor({ timeout: 5_000 });
      await screenshot(mario, 'meeting-camera-off');
      const violations = await axeViolations(mario);
      assert.deepEqual(violations, []);
      assertNoProblems(mario, anna);
    });
  });
});
