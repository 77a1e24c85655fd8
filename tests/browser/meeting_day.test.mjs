// The whole meeting day (issue 5): lobby with device check, roster, "Passa al cittadino" with the
// operator logged out and video flowing across it, kiosk reload, "Richiama operatore", close
// with an outcome, the citizen session gone. Screenshots in /tmp/shots, axe-core on lobby and kiosk.

import { after, before, describe, test } from 'node:test';
import { launchBrowser, startServer } from './harness.mjs';
import { DEMO_NOW, runMeetingDay } from './meeting_day_flow.mjs';

describe('meeting day: lobby, handover, call back, close', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer({ extraArgs: ['--demo-clock', DEMO_NOW] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('operator opens, official joins, handover, call back, handover, official closes', { timeout: 240_000 }, async () => {
    await runMeetingDay(browser, server.url, { shots: true, log: (line) => { console.log(line); } });
  });
});
