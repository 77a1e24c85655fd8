// The whole meeting day in the browser, shared by meeting_day.test.mjs and pii.test.mjs:
// operator logs in → today's card → "Apri la videochiamata" → lobby with device check → the official
// joins from the agenda → roster → "Passa al cittadino" (the operator's cookie dies, the call
// goes on) → kiosk reload on /sportello → "Richiama operatore" → hand over again → the official
// closes with an outcome → the kiosk asks how it went, "Salta" → the end, the citizen session is gone.
//
// The server must run with `--demo-clock DEMO_NOW` so that "today, inside the meeting window"
// holds whenever the tests run.

import assert from 'node:assert/strict';
import {
  ACCOUNTS, assertNoProblems, axeViolations, bookToday, CITIZEN, LONG, login, screenshot, SHOTS_DIR, waitConnected, waitFor, withPages,
} from './fixtures.mjs';

/** Waits until the page shows `path` (a client-side navigation counts). */
const atPath = (page, path) => page.waitForURL((u) => u.pathname === path, { timeout: LONG });
/** Waits until the page's call is in `wanted` role (and, with `andConnected`, connected). */
const inRole = (page, wanted, { andConnected = false } = {}) => page.waitForFunction(
  ([r, c]) => window.sportello?.role() === r && (!c || window.sportello.state() === 'connected'),
  [wanted, andConnected], { timeout: LONG },
);
const role = (page) => page.evaluate(() => window.sportello.role());

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

/** The one other participant `page` sees if it is in `wanted` role (and has id `id`, when given), else false. */
function seesOnly(page, wanted, id) {
  return page.evaluate(([w, pid]) => {
    const list = window.sportello.roster();
    return list.length === 1 && list[0].role === w && (pid === undefined || list[0].id === pid) ? list[0] : false;
  }, [wanted, id]);
}

/** Waits until `page` sees exactly one other participant, in `wanted` role (with id `id`, when given); returns it. */
async function waitSeesOnly(page, wanted, id) {
  const handle = await page.waitForFunction(([w, pid]) => {
    const list = window.sportello?.roster() ?? [];
    return list.length === 1 && list[0].role === w && (pid === undefined || list[0].id === pid) ? list[0] : false;
  }, [wanted, id], { timeout: LONG });
  return handle.jsonValue();
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
  await inRole(kiosk, 'citizen');
  await kiosk.getByRole('button', { name: 'Richiama operatore' }).waitFor({ timeout: LONG });
}

/** Past the server's grace (HANDOVER_GRACE, 10 s) after which connections that did not reauthenticate are cut off. */
const PAST_GRACE_MS = 11_000;

/**
 * Runs the day. `shots` saves screenshots under /tmp/shots and runs axe-core on the lobby and
 * the kiosk. Returns the ids and counters the tests print.
 */
export function runMeetingDay(browser, url, { shots = false, log = () => undefined } = {}) {
  return withPages(browser, url, 2, async (kiosk, official) => {
    // — The operator opens the meeting of today's card and waits in the lobby.
    await login(kiosk, ACCOUNTS.operator);
    const appt = await bookToday(kiosk);
    await kiosk.goto('/operatore');
    const card = kiosk.locator(`[data-appointment-id="${appt.id}"]`);
    await card.getByRole('button', { name: 'Apri la videochiamata' }).click();
    await atPath(kiosk, '/meeting');
    await waitConnected(kiosk);
    assert.equal(await role(kiosk), 'operator');

    const lobby = kiosk.locator('#lobby');
    await lobby.waitFor({ state: 'visible', timeout: LONG });
    await lobby.getByText('In attesa di:').waitFor();
    await lobby.locator('#awaited li[data-role="official"]').waitFor();
    // The preview plays the camera, the meter moves with the (fake) microphone's beeps.
    await kiosk.waitForFunction(() => {
      const v = document.querySelector('#lobby video');
      return v instanceof HTMLVideoElement && v.videoWidth > 0 && !v.paused;
    }, undefined, { timeout: LONG });
    await kiosk.waitForFunction(() => Number(document.querySelector('#mic-meter')?.getAttribute('data-level')) > 0,
      undefined, { timeout: LONG });
    await kiosk.getByRole('button', { name: 'Prova altoparlanti' }).click();
    await kiosk.getByText('Ha sentito il suono?').waitFor({ timeout: LONG });
    await kiosk.locator('#roster [data-role="operator"].is-self').waitFor();
    if (shots) {
      await screenshot(kiosk, 'lobby-operator', { dir: SHOTS_DIR });
      assert.deepEqual(await axeViolations(kiosk), [], 'lobby: axe-core');
    }

    // — The official joins from the agenda: the lobby gives way to the call, both see the roles.
    await login(official, ACCOUNTS.official);
    await official.locator(`[data-appointment-id="${appt.id}"]`).getByRole('button', { name: 'Entra nella videochiamata' }).click();
    await atPath(official, '/meeting');
    await waitSeesOnly(official, 'operator');
    await waitSeesOnly(kiosk, 'official');
    await lobby.waitFor({ state: 'hidden', timeout: LONG });
    await official.locator('#roster [data-role="operator"]').getByText('Operatore del Comune', { exact: true }).waitFor();
    await official.locator('#roster [data-role="official"].is-self').waitFor();
    // Beside the call, the official reads the case.
    const casePanel = official.locator('.side .case-panel');
    await casePanel.getByText(CITIZEN.codice_fiscale).waitFor({ timeout: LONG });
    await casePanel.getByText('Giulia Serra (operatore.villanova), Comune di Villanova Monteleone').waitFor();
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
    // The server started its grace before the handover answered, so before this instant.
    const handedOverAt = Date.now();
    assert.equal(new URL(kiosk.url()).pathname, '/sportello');
    assert.equal(await kiosk.locator('.staff-bar').count(), 0, 'no staff navigation on the kiosk');
    assert.equal(await kiosk.getByRole('button', { name: /^Esci|^Lascia/ }).count(), 0, 'no way out of the call on the kiosk');
    const asCitizen = await waitSeesOnly(official, 'citizen');
    assert.equal(asCitizen.id, kioskId, 'same participant: no rejoin');
    assert.equal(await kiosk.evaluate(() => window.sportello.joinedAt), joinedAt, 'the kiosk did not rejoin');
    await official.getByText('L’operatore ha passato la parola al cittadino').waitFor({ timeout: LONG });
    await official.locator('#roster [data-role="citizen"]').getByText('Cittadino/a', { exact: true }).waitFor();
    // The official sees the citizen by name (the name never travels over signalling).
    await official.locator('#roster [data-role="citizen"] .roster-name')
      .getByText(`${CITIZEN.given_name} ${CITIZEN.family_name}`, { exact: true }).waitFor();
    assert.equal(await statusWithCookie(url, '/v1/session', staffCookie), 401, 'the operator\'s old cookie no longer works');
    assert.equal((await kiosk.context().cookies()).some((c) => c.name === 'sportello_citizen'), true, 'citizen cookie set');
    // Video keeps flowing both ways across the handover.
    kioskFrames = await framesBeyond(kiosk, officialId, kioskFrames, 30, 'video at the kiosk after the handover');
    officialFrames = await framesBeyond(official, kioskId, officialFrames, 30, 'video at the official after the handover');
    // Past the server's 10 s grace for connections that did not reauthenticate: still one call.
    // A wall-clock wait on purpose: what is checked is that nothing happens when the server's
    // timer (a tokio sleep, no event or log line when it cuts nobody off) runs out.
    await sleepUntil(handedOverAt + PAST_GRACE_MS);
    // Still the same participant (a cut-off kiosk would rejoin under a new id); waiting rather
    // than one snapshot tolerates a blip of the official's own page on a loaded machine.
    assert.equal((await waitSeesOnly(official, 'citizen', kioskId)).id, kioskId, 'the citizen is still in the call after 11 s');
    kioskFrames = await framesBeyond(kiosk, officialId, kioskFrames, 30, 'video at the kiosk 11 s after the handover');
    officialFrames = await framesBeyond(official, kioskId, officialFrames, 30, 'video at the official 11 s after the handover');
    if (shots) {
      await screenshot(kiosk, 'kiosk', { dir: SHOTS_DIR });
      await screenshot(official, 'official-with-citizen', { dir: SHOTS_DIR });
      assert.deepEqual(await axeViolations(kiosk), [], 'kiosk: axe-core');
    }

    // — A reload of the kiosk resumes from the citizen session.
    await kiosk.reload();
    await inRole(kiosk, 'citizen', { andConnected: true });
    kioskId = await kiosk.evaluate(() => window.sportello.participantId());
    await waitSeesOnly(official, 'citizen', kioskId);
    kioskFrames = await framesBeyond(kiosk, officialId, 0, 30, 'video at the resumed kiosk');
    officialFrames = await framesBeyond(official, kioskId, 0, 30, 'video at the official after the reload');

    // — "Richiama operatore": the operator signs in on the kiosk and is back in the same connection.
    await kiosk.getByRole('button', { name: 'Richiama operatore' }).click();
    const recall = kiosk.getByRole('dialog', { name: 'Accesso dell’operatore' });
    await recall.waitFor();
    const choice = recall.locator('label').getByText(ACCOUNTS.operator.label, { exact: true });
    await choice.waitFor({ timeout: LONG });
    assert.equal(await recall.getByText(ACCOUNTS.official.label, { exact: true }).count(), 0, 'only operators are offered');
    await choice.click();
    await recall.getByRole('button', { name: 'Accedi' }).click();
    await inRole(kiosk, 'operator');
    const back = await waitSeesOnly(official, 'operator');
    assert.equal(back.id, kioskId, 'same participant after "Richiama operatore"');
    await official.getByText('L’operatore del Comune è tornato nella videochiamata').waitFor({ timeout: LONG });
    officialFrames = await framesBeyond(official, kioskId, officialFrames, 30, 'video at the official with the operator back');
    kioskFrames = await framesBeyond(kiosk, officialId, kioskFrames, 30, 'video at the kiosk with the operator back');

    // — Hand over again, then the official closes with an outcome.
    await handOver(kiosk);
    await waitSeesOnly(official, 'citizen');
    await official.getByRole('button', { name: 'Chiudi la videochiamata' }).click();
    const close = official.getByRole('dialog', { name: 'Chiudere la videochiamata?' });
    await close.waitFor();
    // No outcome chosen: said clearly, nothing sent.
    await close.getByRole('button', { name: 'Chiudi la videochiamata per tutti' }).click();
    await close.getByText('Scelga l’esito dell’appuntamento.').waitFor();
    if (shots) await screenshot(official, 'close-dialog', { dir: SHOTS_DIR });
    await close.locator('label').getByText('Pratica risolta', { exact: true }).click();
    assert.equal(await close.getByLabel('Pratica risolta').isChecked(), true);
    await close.getByLabel(/^Note/).fill('Domanda di pensione verificata.');
    await close.getByRole('button', { name: 'Chiudi la videochiamata per tutti' }).click();
    await official.getByRole('heading', { name: 'Videochiamata chiusa', level: 1 }).waitFor({ timeout: LONG });
    await official.getByText('Esito registrato: Pratica risolta.').waitFor();
    await official.getByRole('link', { name: 'Torna all’agenda' }).waitFor();

    // The kiosk asks the citizen how it went; "Salta" ends the citizen session.
    await kiosk.getByRole('heading', { name: 'Com’è andata la videochiamata?', level: 1 }).waitFor({ timeout: LONG });
    if (shots) await screenshot(kiosk, 'kiosk-feedback', { dir: SHOTS_DIR });
    await kiosk.getByRole('button', { name: 'Salta' }).click();
    await kiosk.getByRole('heading', { name: 'La videochiamata è terminata. Grazie.' }).waitFor({ timeout: LONG });
    await kiosk.getByText('Può lasciare la postazione.').waitFor();
    assert.equal(await kiosk.locator('#main button, #main a').count(), 1, 'only the operator\'s way back on the kiosk');
    await kiosk.getByRole('link', { name: 'Operatore: accedi agli appuntamenti di oggi' }).waitFor();
    assert.equal(await kiosk.evaluate(() => window.sportello.state()), 'disconnected');
    const citizenStatus = await kiosk.evaluate(async () => (await fetch('/v1/citizen/session')).status);
    assert.equal(citizenStatus, 401, 'the citizen session is gone');
    if (shots) {
      await screenshot(kiosk, 'kiosk-ended', { dir: SHOTS_DIR });
      await screenshot(official, 'official-closed', { dir: SHOTS_DIR });
    }

    assertNoProblems(kiosk, official);
    log(`frames: kiosk ${kioskFrames}, official ${officialFrames}`);
    return { appointmentId: appt.id, kioskFrames, officialFrames };
  });
}

/** Resolves at wall-clock instant `at` (ms since the epoch), at once if it is past. */
function sleepUntil(at) {
  return new Promise((r) => { setTimeout(r, Math.max(0, at - Date.now())); });
}
