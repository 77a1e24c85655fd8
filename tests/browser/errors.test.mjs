// A bad meeting token ends on an Italian explanation, not on a spinner.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoProblems, meetingUrl, screenshot, signToken, useServerAndBrowser, withPages } from './fixtures.mjs';

describe('token errors', () => {
  const t = useServerAndBrowser();

  test('an expired token shows that the access code has expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = signToken(t.server.dataDir, {
      room: 'demo', role: 'citizen', sub: 'test-expired', name: 'Mario', iat: now - 3600, exp: now - 60,
    });
    await withPages(t.browser, t.server.url, 1, async (page) => {
      await page.goto(meetingUrl(t.server.url, { room: 'demo', token }));
      await page.getByRole('alert').getByText('Il codice di accesso alla videochiamata è scaduto', { exact: false }).waitFor({ timeout: 10_000 });
      await page.getByText('Disconnesso', { exact: true }).waitFor();
      await screenshot(page, 'token-expired');
      assertNoProblems(page);
    });
  });

  for (const [label, token] of [['garbage', 'garbage'], ['tampered', 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA'], ['empty', '']]) {
    test(`a ${label} token shows that the access code is not valid`, async () => {
      await withPages(t.browser, t.server.url, 1, async (page) => {
        await page.goto(meetingUrl(t.server.url, { room: 'demo', token }));
        const fatal = page.getByRole('alert');
        await fatal.getByText('Il codice di accesso alla videochiamata non è valido', { exact: false }).waitFor({ timeout: 10_000 });
        await page.getByText('Disconnesso', { exact: true }).waitFor();
        assert.equal(await page.evaluate(() => window.sportello.state()), 'disconnected');
        // The token does not stay in the address bar.
        assert.ok(!page.url().includes('token='), page.url());
        assertNoProblems(page);
      });
    });
  }
});
