// A workstation without a camera (or with no device allowed) can still join, see and hear.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, inboundStats, meetingUrl, screenshot, useServerAndBrowser, waitFor, withPages,
} from './fixtures.mjs';

/** Makes getUserMedia fail with `errorName` for requests that include any of `kinds`. */
async function withoutDevices(page, kinds, errorName) {
  await page.addInitScript(([missing, name]) => {
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => (missing.some((k) => constraints?.[k])
      ? Promise.reject(new DOMException('test: device missing', name))
      : real(constraints));
  }, [kinds, errorName]);
}

async function outboundAudioPackets(page) {
  return page.evaluate(async () => {
    const report = await window.sportello.pc()?.getStats();
    let sent = 0;
    report?.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'audio') sent += s.packetsSent ?? 0; });
    return sent;
  });
}

describe('devices', () => {
  const t = useServerAndBrowser();

  test('no camera: joins with the microphone only, sees the other side', async () => {
    await withPages(t.browser, t.server.url, 2, async (mario, anna) => {
      await withoutDevices(mario, ['video'], 'NotFoundError');
      await mario.goto(meetingUrl(t.server.url, { room: 'no-camera', name: 'Mario', role: 'citizen', autojoin: '1' }));
      await anna.goto(meetingUrl(t.server.url, { room: 'no-camera', name: 'Anna', role: 'official', autojoin: '1' }));
      await mario.getByText('Videocamera non disponibile: gli altri la sentiranno, ma non la vedranno.').waitFor();
      assert.ok(await mario.getByRole('button', { name: 'Videocamera non disponibile' }).isDisabled());
      await waitFor(async () => (await inboundStats(mario)).framesDecoded > 10, { what: 'video at Mario' });
      await waitFor(async () => (await inboundStats(anna)).audioPackets > 20, { what: 'audio at Anna' });
      assert.ok(await outboundAudioPackets(mario) > 20);
      assertNoProblems(mario, anna);
    });
  });

  test('camera and microphone refused: joins to watch and listen, says why', async () => {
    await withPages(t.browser, t.server.url, 2, async (mario, anna) => {
      await withoutDevices(mario, ['audio', 'video'], 'NotAllowedError');
      await mario.goto(meetingUrl(t.server.url, { room: 'no-devices', name: 'Mario', role: 'citizen', autojoin: '1' }));
      await anna.goto(meetingUrl(t.server.url, { room: 'no-devices', name: 'Anna', role: 'official', autojoin: '1' }));
      await mario.getByText('Il browser non permette di usare videocamera e microfono.', { exact: false }).waitFor();
      await waitFor(async () => {
        const s = await inboundStats(mario);
        return s.framesDecoded > 10 && s.audioPackets > 20;
      }, { what: 'media at Mario' });
      await mario.getByText('Connesso', { exact: true }).waitFor();
      const tile = anna.locator('.tile-remote');
      await tile.getByText('Mario').waitFor();
      await tile.getByText('Microfono spento').waitFor();
      await tile.getByText('Videocamera spenta').waitFor();
      await screenshot(anna, 'meeting-remote-without-devices');
      await screenshot(mario, 'meeting-without-devices');
      assertNoProblems(mario, anna);
    });
  });
});
