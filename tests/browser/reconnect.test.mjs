// The server goes away mid-meeting: the page says so, retries, and rejoins when it is back.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { assertNoProblems, meetingUrl, startServer, useBrowser, withPages } from './fixtures.mjs';

const t = useBrowser();
const servers = [];

after(async () => {
  for (const s of servers) await s.stop();
});

test('connection lost → "Connessione persa, riconnessione…" → back to "Connesso"', async () => {
  const first = await startServer();
  servers.push(first);
  try {
    await withPages(t.browser, first.url, 1, async (page) => {
      await page.goto(meetingUrl(first.url, { room: 'reconnect', name: 'Mario', role: 'citizen', autojoin: '1' }));
      await page.getByText('Connesso', { exact: true }).waitFor({ timeout: 10_000 });
      const firstId = await page.evaluate(() => window.sportello.participantId());

      await first.stop({ keepDataDir: true, signal: 'SIGKILL' });
      await page.getByText('Connessione persa, riconnessione…', { exact: true }).waitFor({ timeout: 10_000 });
      assert.equal(await page.evaluate(() => window.sportello.state()), 'reconnecting');

      // Same address, same data dir (same token key): the page's next attempt gets in.
      const second = await startServer({ listen: new URL(first.url).host, dataDir: first.dataDir });
      servers.push(second);
      await page.getByText('Connesso', { exact: true }).waitFor({ timeout: 20_000 });
      const secondId = await page.evaluate(() => window.sportello.participantId());
      assert.ok(secondId);
      console.log(`rejoined as ${secondId} (was ${firstId})`);
      assertNoProblems(page);
    });
  } finally {
    rmSync(first.dataDir, { recursive: true, force: true });
  }
});
