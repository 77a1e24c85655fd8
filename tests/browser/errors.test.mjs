// A bad meeting token ends on an Italian explanation, not on a spinner.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { artifactsDir, launchBrowser, meetingUrl, newParticipantPage, signToken, startServer } from './harness.mjs';

describe('token errors', () => {
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

  test('an expired token shows that the access code has expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = signToken(server.dataDir, {
      room: 'demo', role: 'citizen', sub: 'test-expired', name: 'Mario', iat: now - 3600, exp: now - 60,
    });
    const page = await newParticipantPage(browser, server.url);
    try {
      await page.goto(meetingUrl(server.url, { room: 'demo', token }));
      await page.getByRole('alert').getByText('Il codice di accesso alla riunione è scaduto', { exact: false }).waitFor({ timeout: 10_000 });
      await page.getByText('Disconnesso', { exact: true }).waitFor();
      await page.screenshot({ path: join(artifactsDir, 'token-expired.png') });
      assert.deepEqual(page.problems, []);
    } finally {
      await page.closeAll();
    }
  });

  for (const [label, token] of [['garbage', 'garbage'], ['tampered', 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA'], ['empty', '']]) {
    test(`a ${label} token shows that the access code is not valid`, async () => {
      const page = await newParticipantPage(browser, server.url);
      try {
        await page.goto(meetingUrl(server.url, { room: 'demo', token }));
        const fatal = page.getByRole('alert');
        await fatal.getByText('Il codice di accesso alla riunione non è valido', { exact: false }).waitFor({ timeout: 10_000 });
        await page.getByText('Disconnesso', { exact: true }).waitFor();
        assert.equal(await page.evaluate(() => window.sportello.state()), 'disconnected');
        // The token does not stay in the address bar.
        assert.ok(!page.url().includes('token='), page.url());
        assert.deepEqual(page.problems, []);
      } finally {
        await page.closeAll();
      }
    });
  }
});
