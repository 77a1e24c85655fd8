// Personal data never reaches the logs: runs the whole meeting day with a citizen whose codice
// fiscale and names are known, once with human-readable and once with JSON logs (debug level for
// our crates), and searches every line the server printed, and its Prometheus metrics, for them.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CITIZEN, DEMO_NOW, findPii, startServer, useBrowser } from './fixtures.mjs';
import { runMeetingDay } from './meeting_day_flow.mjs';

/** Debug level for our own crates: the more they say, the more the search covers. */
const RUST_LOG = 'info,sportello=debug,sportello_signalling=debug,sportello_sfu=debug';

describe('no personal data in logs or metrics', () => {
  const t = useBrowser();

  for (const format of ['human', 'json']) {
    test(`meeting day with ${format} logs`, { timeout: 240_000 }, async () => {
      const lines = [];
      const server = await startServer({
        extraArgs: ['--demo-clock', DEMO_NOW, '--log-format', format],
        env: { RUST_LOG },
        onLine: (line) => { lines.push(line); },
      });
      let metrics = '';
      let day;
      try {
        day = await runMeetingDay(t.browser, server.url);
        const res = await fetch(`${server.url}/metrics`);
        if (res.ok) metrics = await res.text();
      } finally {
        await server.stop();
      }
      // The search must be able to fail: the flow did log, and about the meeting.
      assert.ok(lines.length > 20, `only ${lines.length} log lines`);
      assert.ok(lines.some((l) => l.includes(day.appointmentId)), 'the logs speak of the appointment of the flow');
      assert.ok(metrics.length > 0, 'the metrics were read');
      if (format === 'json') assert.ok(lines.some((l) => l.startsWith('{')), 'JSON log lines');
      assert.ok(findPii([`x ${CITIZEN.codice_fiscale.toLowerCase()} x`]).length > 0, 'the search finds a planted codice fiscale');
      assert.deepEqual(findPii(lines), [], 'no codice fiscale or name in the logs');
      assert.deepEqual(findPii(metrics.split('\n')), [], 'no codice fiscale or name in the metrics');
      console.log(`${format}: ${lines.length} log lines, ${metrics.split('\n').length} metric lines searched`);
    });
  }
});
