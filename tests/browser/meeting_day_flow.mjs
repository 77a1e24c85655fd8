// The whole meeting day in the browser, shared by meeting_day.test.mjs and pii.test.mjs:
// operator logs in → today's card → "Apri meeting" → lobby with device check → the official
// joins from the agenda → roster → "Passa al cittadino" (the operator's cookie dies, the call
// goes on) → kiosk reload on /sportello → "Richiama operatore" → hand over again → the official
// closes with an outcome → the kiosk shows the end and the citizen session is gone.
//
// The server must run with `--demo-clock DEMO_NOW` so that "today, inside the meeting window"
// holds whenever the tests run.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { newParticipantPage, waitFor } from './harness.mjs';

export const DEMO_NOW = '2026-11-23T10:05:00+01:00';
export const TODAY = '2026-11-23';
export const OPERATOR = 'Operatore del Comune di Villanova Monteleone';
export const OFFICIAL = 'Funzionario INPS – Sede provinciale di Sassari';
/** The citizen of the appointment: the PII test looks for these in every log line. */
export const CITIZEN = {
  given_name: 'Laura', family_name: 'Bianchi', codice_fiscale: 'BNCLRA92P55I452E', birth_date: '1992-09-15',
  birth_place: 'I452', sex: 'F', residence_istat: '090078',
};
export const SHOTS_DIR = '/tmp/shots';

/** Generous: the machine is a shared two-core box. */
const LONG = 30_000;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe-core violations of the page as it is now. */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    resultTypes: ['violations'],
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

export async function login(page, url, label, heading) {
  await page.goto(`${url}/accesso`);
  await page.getByRole('heading', { name: 'Accesso' }).waitFor({ timeout: LONG });
  await page.locator('label').getByText(label, { exact: true }).click();
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor({ timeout: LONG });
}

/** Holds and confirms the first free slot of sassari-1 today for `applicant`, from the operator's page. */
export function bookToday(page, applicant = CITIZEN) {
  return page.evaluate(async ([day, applicant]) => {
    const json = async (res) => {
      const body = await res.json();
      if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    // The session's CSRF token, as the web client sends it on POST (when the server has one).
    const { csrf_token: csrf } = await json(await fetch('/v1/session'));
    const csrfHeader = typeof csrf === 'string' ? { 'x-csrf-token': csrf } : {};
    const slots = await json(await fetch(`/v1/booking/sportelli/sassari-1/slots?from=${day}&to=${day}`));
    const slot = slots.slots[0];
    if (!slot) throw new Error('no free slot today');
    const hold = await json(await fetch('/v1/booking/holds', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...csrfHeader },
      body: JSON.stringify({ sportello_id: 'sassari-1', starts_at: slot.starts_at, service_code: 'pensioni' }),
    }));
    const appt = await json(await fetch(`/v1/booking/holds/${hold.id}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `meeting-day-${hold.id}`, ...csrfHeader },
      body: JSON.stringify({ applicant, services: ['pensioni'], gdpr_notice_signed: true, id_copy_acquired: true }),
    }));
    return { id: appt.id, startsAt: appt.starts_at };
  }, [TODAY, applicant]);
}

/** Waits until the page shows `path` (client-side navigation: no load event to wait for). */
const atPath = (page, path) => waitFor(() => new URL(page.url()).pathname === path, { timeoutMs: LONG, what: `page at ${path}` });
const role = (page) => page.evaluate(() => window.sportello.role());
const roster = (page) => page.evaluate(() => window.sportello.roster());
const connected = (page) => page.evaluate(() => window.sportello.state() === 'connected');

/**
 * Inbound `framesDecoded` of the video that `page` shows for participant `id` (the receiver of
 * the track on that participant's tile), 0 while there is none.
 */
function trackFrames(page, id) {
  return page.evaluate(async (pid) => {
    const video = document.querySelector(`.tile-remote[data-participant-id="${pid}"] video`);
    const track = video instanceof HTMLVideoElement && video.srcObject instanceof MediaStream
      ? video.srcObject.getVideoTracks()[0] : undefined;
    const pc = window.sportello?.pc();
    if (!track || !pc) return 0;
    let frames = 0;
    (await pc.getStats(track)).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0; });
    return frames;
  }, id);
}

/** Waits until `page` has decoded `more` frames of `id`'s video beyond `base`; returns the count. */
async function framesBeyond(page, id, base, more, what) {
  return waitFor(async () => {
    const frames = await trackFrames(page, id);
    return frames > base + more ? frames : false;
  }, { timeoutMs: LONG, intervalMs: 250, what });
}

/** Whether `page` sees exactly one other participant, in `wanted` role. */
async function seesOnly(page, wanted) {
  const list = await roster(page);
  return list.length === 1 && list[0].role === wanted ? list[0] : false;
}

/** Status code of `GET path` sent from Node with just `cookie` (no browser state). */
async function statusWithCookie(url, path, cookie) {
  const res = await fetch(`${url}${path}`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
  await res.arrayBuffer();
  return res.status;
}

async function handOver(kiosk) {
  await kiosk.getByRole('button', { name: 'Passa al cittadino' }).click();
  const dialog = kiosk.getByRole('dialog', { name: 'Passare la videochiamata al cittadino?' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Sì, passa al cittadino' }).click();
  await waitFor(async () => (await role(kiosk)) === 'citizen', { timeoutMs: LONG, what: 'kiosk is the citizen' });
  await kiosk.getByRole('button', { name: 'Richiama operatore' }).waitFor({ timeout: LONG });
}

/**
 * Runs the day. `shots` saves screenshots under /tmp/shots and runs axe-core on the lobby and
 * the kiosk. Returns the ids and counters the tests print.
 */
export async function runMeetingDay(browser, url, { shots = false, log = () => undefined } = {}) {
  if (shots) mkdirSync(SHOTS_DIR, { recursive: true });
  const kiosk = await newParticipantPage(browser, url);
  const official = await newParticipantPage(browser, url);
  try {
    // — The operator opens the meeting of today's card and waits in the lobby.
    await login(kiosk, url, OPERATOR, 'Area operatore');
    const appt = await bookToday(kiosk);
    await kiosk.goto(`${url}/operatore`);
    const card = kiosk.locator(`[data-appointment-id="${appt.id}"]`);
    await card.getByRole('button', { name: 'Apri meeting' }).click();
    await atPath(kiosk, '/meeting');
    await waitFor(() => connected(kiosk), { timeoutMs: LONG, what: 'operator connected' });
    assert.equal(await role(kiosk), 'operator');

    const lobby = kiosk.locator('#lobby');
    await lobby.waitFor({ state: 'visible', timeout: LONG });
    await lobby.getByText('In attesa di:').waitFor();
    await lobby.locator('#awaited li[data-role="official"]').waitFor();
    // The preview plays the camera, the meter moves with the (fake) microphone's beeps.
    await waitFor(() => kiosk.evaluate(() => {
      const v = document.querySelector('#lobby video');
      return v instanceof HTMLVideoElement && v.videoWidth > 0 && !v.paused;
    }), { timeoutMs: LONG, what: 'camera preview in the lobby' });
    await waitFor(async () => Number(await kiosk.locator('#mic-meter').getAttribute('data-level')) > 0,
      { timeoutMs: LONG, intervalMs: 50, what: 'microphone level above 0' });
    await kiosk.getByRole('button', { name: 'Prova altoparlanti' }).click();
    await kiosk.getByText('Ha sentito il suono?').waitFor({ timeout: LONG });
    await kiosk.locator('#roster [data-role="operator"].is-self').waitFor();
    if (shots) {
      await kiosk.evaluate(() => document.fonts.ready);
      await kiosk.screenshot({ path: join(SHOTS_DIR, 'lobby-operator.png') });
      assert.deepEqual(await axeViolations(kiosk), [], 'lobby: axe-core');
    }

    // — The official joins from the agenda: the lobby gives way to the call, both see the roles.
    await login(official, url, OFFICIAL, 'Agenda dello sportello');
    await official.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Entra nel meeting' }).click();
    await atPath(official, '/meeting');
    await waitFor(() => seesOnly(official, 'operator'), { timeoutMs: LONG, what: 'official sees the operator' });
    await waitFor(() => seesOnly(kiosk, 'official'), { timeoutMs: LONG, what: 'operator sees the official' });
    await lobby.waitFor({ state: 'hidden', timeout: LONG });
    await official.locator('#roster [data-role="operator"]').getByText('Operatore del Comune', { exact: true }).waitFor();
    await official.locator('#roster [data-role="official"].is-self').waitFor();
    await kiosk.locator('#roster [data-role="official"]').getByText('Funzionario INPS', { exact: true }).waitFor();
    const officialId = (await seesOnly(kiosk, 'official')).id;
    let kioskId = (await seesOnly(official, 'operator')).id;
    assert.equal(await kiosk.evaluate(() => window.sportello.participantId()), kioskId);
    let kioskFrames = await framesBeyond(kiosk, officialId, 0, 30, 'video at the operator');
    let officialFrames = await framesBeyond(official, kioskId, 0, 30, 'video at the official');

    // — "Passa al cittadino": same connection, new role; the operator's cookie is dead.
    const staffCookie = (await kiosk.context().cookies()).find((c) => c.name === 'sportello_session');
    assert.ok(staffCookie, 'the operator has a staff session cookie');
    assert.equal(await statusWithCookie(url, '/v1/session', staffCookie), 200, 'the cookie works before the handover');
    const joinedAt = await kiosk.evaluate(() => window.sportello.joinedAt);
    await handOver(kiosk);
    assert.equal(new URL(kiosk.url()).pathname, '/sportello');
    assert.equal(await kiosk.locator('.staff-bar').count(), 0, 'no staff navigation on the kiosk');
    assert.equal(await kiosk.getByRole('button', { name: 'Esci' }).count(), 0, 'no "Esci" on the kiosk');
    const asCitizen = await waitFor(() => seesOnly(official, 'citizen'), { timeoutMs: LONG, what: 'official sees the citizen' });
    assert.equal(asCitizen.id, kioskId, 'same participant: no rejoin');
    assert.equal(await kiosk.evaluate(() => window.sportello.joinedAt), joinedAt, 'the kiosk did not rejoin');
    await official.getByText('L’operatore ha passato la parola al cittadino').waitFor({ timeout: LONG });
    await official.locator('#roster [data-role="citizen"]').getByText('Cittadino/a', { exact: true }).waitFor();
    assert.equal(await statusWithCookie(url, '/v1/session', staffCookie), 401, 'the operator\'s old cookie no longer works');
    assert.equal((await kiosk.context().cookies()).some((c) => c.name === 'sportello_citizen'), true, 'citizen cookie set');
    // Video keeps flowing both ways across the handover.
    kioskFrames = await framesBeyond(kiosk, officialId, kioskFrames, 30, 'video at the kiosk after the handover');
    officialFrames = await framesBeyond(official, kioskId, officialFrames, 30, 'video at the official after the handover');
    // Past the server's 10 s grace for connections that did not reauthenticate: still one call.
    await new Promise((r) => { setTimeout(r, 11_000); });
    assert.equal((await seesOnly(official, 'citizen'))?.id, kioskId, 'the citizen is still in the call after 11 s');
    kioskFrames = await framesBeyond(kiosk, officialId, kioskFrames, 30, 'video at the kiosk 11 s after the handover');
    officialFrames = await framesBeyond(official, kioskId, officialFrames, 30, 'video at the official 11 s after the handover');
    if (shots) {
      await kiosk.screenshot({ path: join(SHOTS_DIR, 'kiosk.png') });
      await official.screenshot({ path: join(SHOTS_DIR, 'official-with-citizen.png') });
      assert.deepEqual(await axeViolations(kiosk), [], 'kiosk: axe-core');
    }

    // — A reload of the kiosk resumes from the citizen session.
    await kiosk.reload();
    await waitFor(async () => (await role(kiosk)) === 'citizen' && await connected(kiosk), { timeoutMs: LONG, what: 'kiosk resumed' });
    kioskId = await kiosk.evaluate(() => window.sportello.participantId());
    await waitFor(async () => (await seesOnly(official, 'citizen'))?.id === kioskId,
      { timeoutMs: LONG, what: 'official sees the resumed citizen' });
    kioskFrames = await framesBeyond(kiosk, officialId, 0, 30, 'video at the resumed kiosk');
    officialFrames = await framesBeyond(official, kioskId, 0, 30, 'video at the official after the reload');

    // — "Richiama operatore": the operator signs in on the kiosk and is back in the same connection.
    await kiosk.getByRole('button', { name: 'Richiama operatore' }).click();
    const recall = kiosk.getByRole('dialog', { name: 'Accesso dell’operatore' });
    await recall.waitFor();
    const choice = recall.locator('label').getByText(OPERATOR, { exact: true });
    await choice.waitFor({ timeout: LONG });
    assert.equal(await recall.getByText(OFFICIAL, { exact: true }).count(), 0, 'only operators are offered');
    await choice.click();
    await recall.getByRole('button', { name: 'Accedi' }).click();
    await waitFor(async () => (await role(kiosk)) === 'operator', { timeoutMs: LONG, what: 'kiosk is the operator again' });
    const back = await waitFor(() => seesOnly(official, 'operator'), { timeoutMs: LONG, what: 'official sees the operator back' });
    assert.equal(back.id, kioskId, 'same participant after "Richiama operatore"');
    await official.getByText('L’operatore del Comune è tornato nella riunione').waitFor({ timeout: LONG });
    officialFrames = await framesBeyond(official, kioskId, officialFrames, 30, 'video at the official with the operator back');
    kioskFrames = await framesBeyond(kiosk, officialId, kioskFrames, 30, 'video at the kiosk with the operator back');

    // — Hand over again, then the official closes with an outcome.
    await handOver(kiosk);
    await waitFor(() => seesOnly(official, 'citizen'), { timeoutMs: LONG, what: 'official sees the citizen again' });
    await official.getByRole('button', { name: 'Chiudi meeting' }).click();
    const close = official.getByRole('dialog', { name: 'Chiudere il meeting?' });
    await close.waitFor();
    // No outcome chosen: said clearly, nothing sent.
    await close.getByRole('button', { name: 'Chiudi il meeting per tutti' }).click();
    await close.getByText('Scelga l’esito dell’incontro.').waitFor();
    if (shots) await official.screenshot({ path: join(SHOTS_DIR, 'close-dialog.png') });
    await close.locator('label').getByText('Pratica risolta', { exact: true }).click();
    assert.equal(await close.getByLabel('Pratica risolta').isChecked(), true);
    await close.getByLabel(/^Note/).fill('Domanda di pensione verificata.');
    await close.getByRole('button', { name: 'Chiudi il meeting per tutti' }).click();
    await official.getByRole('heading', { name: 'Meeting chiuso', level: 1 }).waitFor({ timeout: LONG });
    await official.getByText('Esito registrato: Pratica risolta.').waitFor();
    await official.getByRole('link', { name: 'Torna all’agenda' }).waitFor();

    await kiosk.getByRole('heading', { name: 'L’incontro è terminato. Grazie.' }).waitFor({ timeout: LONG });
    assert.equal(await kiosk.locator('#main button, #main a').count(), 0, 'nothing else to press on the kiosk');
    assert.equal(await kiosk.evaluate(() => window.sportello.state()), 'disconnected');
    const citizenStatus = await kiosk.evaluate(async () => (await fetch('/v1/citizen/session')).status);
    assert.equal(citizenStatus, 401, 'the citizen session is gone');
    if (shots) {
      await kiosk.screenshot({ path: join(SHOTS_DIR, 'kiosk-ended.png') });
      await official.screenshot({ path: join(SHOTS_DIR, 'official-closed.png') });
    }

    assert.deepEqual([...kiosk.problems, ...official.problems], []);
    log(`frames: kiosk ${kioskFrames}, official ${officialFrames}`);
    return { appointmentId: appt.id, kioskFrames, officialFrames };
  } finally {
    await kiosk.closeAll();
    await official.closeAll();
  }
}
