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

describe('device pickers', () => {
  const t = useServerAndBrowser();

  /** The deviceId of the track this page sends for `kind` ('audio' or 'video'). */
  async function sentDevice(page, kind) {
    return page.evaluate((k) => window.sportello.pc()?.getSenders()
      .find((s) => s.track?.kind === k)?.track?.getSettings().deviceId ?? null, kind);
  }

  test('the lobby lists the microphones (a single camera: no picker); a choice is sent, kept for the next meeting', async () => {
    await withPages(t.browser, t.server.url, 2, async (mario, anna) => {
      await mario.goto(meetingUrl(t.server.url, { room: 'pickers', name: 'Mario', role: 'citizen', autojoin: '1' }));
      const lobby = mario.locator('#lobby');
      await lobby.waitFor({ state: 'visible' });
      const camera = lobby.getByLabel('Videocamera da usare');
      const mic = lobby.getByLabel('Microfono da usare');
      await waitFor(async () => (await mic.locator('option').count()) >= 2 && await mic.isEnabled(),
        { what: 'the microphones listed' });
      // One camera (Chromium's fake one): nothing to choose, no picker.
      assert.equal(await camera.isVisible(), false, 'no camera picker for a single camera');
      // The device in use is the one selected.
      const before = await sentDevice(mario, 'audio');
      assert.equal(await mic.inputValue(), before);
      const options = await mic.locator('option').evaluateAll((os) => os.map((o) => o.value));
      const other = options.find((v) => v !== before && v !== 'default');
      assert.ok(other, `a second microphone among ${options.join(', ')}`);

      await mic.selectOption(other);
      await waitFor(async () => (await sentDevice(mario, 'audio')) === other, { what: 'the chosen microphone sent' });
      assert.equal(await mario.evaluate(() => localStorage.getItem('sportello.device.audioinput')), other);

      // The other side hears the new microphone.
      await anna.goto(meetingUrl(t.server.url, { room: 'pickers', name: 'Anna', role: 'official', autojoin: '1' }));
      await waitFor(async () => (await inboundStats(anna)).audioPackets > 20, { what: 'audio at Anna' });

      // The next meeting on this workstation opens the same microphone.
      await mario.goto(meetingUrl(t.server.url, { room: 'pickers-2', name: 'Mario', role: 'citizen', autojoin: '1' }));
      await mario.locator('#lobby').waitFor({ state: 'visible' });
      await waitFor(async () => (await sentDevice(mario, 'audio')) === other, { what: 'the remembered microphone' });
      await waitFor(async () => (await mario.locator('#lobby').getByLabel('Microfono da usare').inputValue()) === other,
        { what: 'the remembered microphone selected' });
      await screenshot(mario, 'lobby-device-pickers');
      assertNoProblems(mario, anna);
    });
  });

  test('a device that cannot be opened: the old one stays, the person is told', async () => {
    await withPages(t.browser, t.server.url, 1, async (mario) => {
      await mario.addInitScript(() => {
        const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        // The first request (the call's own) succeeds; asking for one exact device fails.
        navigator.mediaDevices.getUserMedia = (c) => (c?.audio?.deviceId?.exact
          ? Promise.reject(new DOMException('test: busy', 'NotReadableError'))
          : real(c));
      });
      await mario.goto(meetingUrl(t.server.url, { room: 'pickers-busy', name: 'Mario', role: 'citizen', autojoin: '1' }));
      const mic = mario.locator('#lobby').getByLabel('Microfono da usare');
      await waitFor(async () => (await mic.locator('option').count()) >= 2 && await mic.isEnabled(),
        { what: 'the microphones listed' });
      const before = await sentDevice(mario, 'audio');
      const options = await mic.locator('option').evaluateAll((os) => os.map((o) => o.value));
      await mic.selectOption(options.find((v) => v !== before && v !== 'default'));
      await mario.getByText('Non è stato possibile usare il microfono scelto: resta quello di prima.').waitFor();
      assert.equal(await sentDevice(mario, 'audio'), before);
      await waitFor(async () => (await mic.inputValue()) === before, { what: 'the picker back on the device in use' });
      assert.equal(await mario.evaluate(() => localStorage.getItem('sportello.device.audioinput')), null);
      assertNoProblems(mario);
    });
  });
});
