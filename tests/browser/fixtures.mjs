// The one fixture module of the browser end-to-end tests: the sportello binary and the system
// Chromium (lifecycle hooks per suite), a page with its own context per person, the demo logins,
// an appointment booked for today, WebRTC stats through the page's test hook, axe-core, the
// screenshots, and the problems every page records (CSP, page errors, requests off the origin).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
/** Screenshots and measurements of a run (git-ignored). */
export const artifactsDir = join(here, 'artifacts');
mkdirSync(artifactsDir, { recursive: true });
/** Screenshots of the staff pages and the meeting day, for a human look. */
export const SHOTS_DIR = '/tmp/shots';

/** Generous: the machine is a shared two-core box (Playwright's own default is also 30 s). */
export const LONG = 30_000;

/** The instant `--demo-clock` pins the server to: Monday 23 November 2026, 10:05 in Italy. */
export const DEMO_NOW = '2026-11-23T10:05:00+01:00';
export const TODAY = '2026-11-23';

/** The demo profiles of /accesso: the label to choose and the heading of the home it lands on. */
export const ACCOUNTS = {
  operator: { label: 'Operatore del Comune di Villanova Monteleone', home: 'Area operatore' },
  operatorAlghero: { label: 'Operatore del Comune di Alghero', home: 'Area operatore' },
  official: { label: 'Funzionario INPS – Sede provinciale di Sassari', home: 'Agenda dello sportello' },
  inpsAdmin: { label: 'Amministratore INPS', home: 'Amministrazione INPS' },
};

/** The citizen of the appointments booked by `bookToday`: the PII test looks for these in every log line. */
export const CITIZEN = {
  given_name: 'Laura', family_name: 'Bianchi', codice_fiscale: 'BNCLRA92P55I452E', birth_date: '1992-09-15',
  birth_place: 'I452', sex: 'F', residence_istat: '090078',
};

// ── Server and browser ──────────────────────────────────────────────────────────────────────

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Chromium flags that let a headless WebRTC call run over loopback (see notes/browser-testing.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

function serverBinary() {
  const bin = process.env.SPORTELLO_BIN ?? 'target/debug/sportello';
  return isAbsolute(bin) ? bin : resolve(repoRoot, bin);
}

/**
 * Starts `sportello --demo` on ephemeral ports with a fresh data dir and waits for its
 * `READY http://...` line (`extraArgs` are appended to the command line, e.g. `--demo-clock`;
 * `env` is added to its environment; `onLine` sees every line it prints, stdout and stderr).
 * Returns `{ url, stop() }`; `stop` kills it by PID and resolves once all output was read.
 */
export async function startServer({
  timeoutMs = 60_000, listen = '127.0.0.1:0', dataDir: givenDataDir, extraArgs = [], env = {}, onLine = null,
} = {}) {
  const bin = serverBinary();
  if (!existsSync(bin)) throw new Error(`sportello binary not found at ${bin} (build it or set SPORTELLO_BIN)`);
  const dataDir = givenDataDir ?? mkdtempSync(join(tmpdir(), 'sportello-browser-'));
  const child = spawn(bin, [
    '--demo', '--listen', listen, '--media-listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs,
  ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info', ...env } });

  const logs = [];
  const keep = (line) => { onLine?.(line); logs.push(line); if (logs.length > 400) logs.shift(); };
  const stderr = createInterface({ input: child.stderr });
  stderr.on('line', keep);
  const stdout = createInterface({ input: child.stdout });
  const drained = Promise.all([stderr, stdout].map((rl) => new Promise((r) => { rl.once('close', r); })));

  const ready = new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => { reject(new Error(`no READY line within ${timeoutMs} ms:\n${logs.join('\n')}`)); }, timeoutMs);
    stdout.on('line', (line) => {
      keep(line);
      const m = /^READY\s+(https?:\/\/\S+)/.exec(line.trim());
      if (m) { clearTimeout(timer); resolveUrl(m[1].replace(/\/$/, '')); }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`sportello exited early (code ${code}, signal ${signal}):\n${logs.join('\n')}`));
    });
  });

  let url;
  try {
    url = await ready;
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!givenDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  let stopped = false;
  return {
    url,
    logs,
    dataDir,
    /** Kills it by PID; keeps the data dir when `keepDataDir` (or when the caller gave it). */
    async stop({ keepDataDir = false, signal = 'SIGTERM' } = {}) {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        const timer = setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 5_000);
        await exited;
        clearTimeout(timer);
      }
      await drained;
      if (!keepDataDir && !givenDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches the Debian Chromium headless; Playwright gives every launch a fresh temporary profile. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * One Chromium for the suite (or file) that calls it: launched in `before`, closed in `after`.
 * Returns an object whose `browser` is set once the hook ran.
 */
export function useBrowser() {
  const fixture = { browser: undefined };
  before(async () => { fixture.browser = await launchBrowser(); });
  after(async () => { await fixture.browser?.close(); });
  return fixture;
}

/**
 * One server (`startServer(serverOptions)`) and one Chromium for the suite that calls it, started
 * in `before` and stopped in `after`. Returns an object whose `server` and `browser` are set once
 * the hook ran.
 */
export function useServerAndBrowser(serverOptions = {}) {
  const fixture = { server: undefined, browser: undefined };
  before(async () => {
    fixture.server = await startServer(serverOptions);
    fixture.browser = await launchBrowser();
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
  });
  return fixture;
}

// ── Pages ───────────────────────────────────────────────────────────────────────────────────

/**
 * A page in its own browser context (its own cookies and storage: a separate person), with the
 * server as base URL (`page.goto('/accesso')`). Records console errors, CSP violations and
 * requests that leave the server's origin in `page.problems`; `page.closeAll()` closes the context.
 */
export async function newParticipantPage(browser, serverUrl, { bypassCSP = false, viewport = { width: 1280, height: 800 } } = {}) {
  const origin = new URL(serverUrl).origin;
  const context = await browser.newContext({ viewport, bypassCSP, locale: 'it-IT', baseURL: serverUrl });
  await context.grantPermissions(['camera', 'microphone'], { origin });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => { problems.push(`page error: ${err.message}`); });
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && u.origin !== origin && u.host !== new URL(origin).host) {
      problems.push(`external request: ${req.url()}`);
    }
  });
  page.problems = problems;
  page.closeAll = () => context.close();
  return page;
}

/**
 * Runs `body(...pages)` with one new page per person (`people`: how many, or one options object
 * of `newParticipantPage` each) and closes their contexts afterwards, whatever happened.
 */
export async function withPages(browser, serverUrl, people, body) {
  const options = typeof people === 'number' ? Array.from({ length: people }, () => ({})) : people;
  const pages = [];
  try {
    for (const opts of options) pages.push(await newParticipantPage(browser, serverUrl, opts));
    return await body(...pages);
  } finally {
    for (const page of pages) await page.closeAll();
  }
}

/** No CSP violation, page error or request off the server's origin on any of `pages`. */
export function assertNoProblems(...pages) {
  assert.deepEqual(pages.flatMap((p) => p.problems), []);
}

/** Logs `page` in at /accesso with `account` and `password` (the form; it does not wait for a home). */
export async function passwordLogin(page, account, password) {
  await page.goto('/accesso');
  await page.getByRole('heading', { name: 'Accesso', level: 1 }).waitFor({ timeout: LONG });
  await page.getByLabel('Nome utente').fill(account);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Accedi', exact: true }).click();
}

/** Logs `page` in with the demo chooser of /accesso as `account` (one of `ACCOUNTS`), waits for its home. */
export async function login(page, account) {
  await page.goto('/accesso');
  await page.getByRole('heading', { name: 'Accesso' }).waitFor({ timeout: LONG });
  await page.locator('label').getByText(account.label, { exact: true }).click();
  assert.equal(await page.getByLabel(account.label, { exact: true }).isChecked(), true, account.label);
  await page.getByRole('button', { name: 'Accedi con il profilo scelto' }).click();
  await page.getByRole('heading', { name: account.home, level: 1 }).waitFor({ timeout: LONG });
}

/**
 * Holds and confirms the free slot number `index` of sassari-1 today (the server runs with
 * `--demo-clock DEMO_NOW`) for `applicant`, through the booking API from the logged-in
 * operator's page (quick to set up). Returns `{ id, startsAt }`.
 */
export function bookToday(page, { index = 0, applicant = CITIZEN } = {}) {
  return page.evaluate(async ([day, index, applicant]) => {
    const json = async (res) => {
      const body = await res.json();
      if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    // The session's CSRF token, as the web client sends it on POST (when the server has one).
    const { csrf_token: csrf } = await json(await fetch('/v1/session'));
    const csrfHeader = typeof csrf === 'string' ? { 'x-csrf-token': csrf } : {};
    const slots = await json(await fetch(`/v1/booking/sportelli/sassari-1/slots?from=${day}&to=${day}`));
    const slot = slots.slots[index];
    if (!slot) throw new Error('no free slot today');
    const hold = await json(await fetch('/v1/booking/holds', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...csrfHeader },
      body: JSON.stringify({ sportello_id: 'sassari-1', starts_at: slot.starts_at, service_code: 'pensioni' }),
    }));
    const appt = await json(await fetch(`/v1/booking/holds/${hold.id}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `meeting-day-${hold.id}`, ...csrfHeader },
      body: JSON.stringify({
        applicant, services: ['pensioni'], gdpr_notice_signed: true, data_processing_authorised: true, id_copy_acquired: true,
      }),
    }));
    return { id: appt.id, startsAt: appt.starts_at };
  }, [TODAY, index, applicant]);
}

/** Waits until the page's call (`window.sportello`) is connected. */
export async function waitConnected(page, { timeout = LONG } = {}) {
  await page.waitForFunction(() => window.sportello?.state() === 'connected', undefined, { timeout });
}

// ── The booking wizard ──────────────────────────────────────────────────────────────────────

/** Ticks a bootstrap-italia checkbox or radio (the input is drawn by its label). */
export async function tick(page, label) {
  await page.locator('label', { hasText: label }).first().click();
}

/** Chooses a radio button by its exact label, and checks that it is chosen. */
export async function choose(page, label) {
  await page.locator('label').getByText(label, { exact: true }).click();
  assert.equal(await page.getByLabel(label, { exact: true }).isChecked(), true, label);
}

/**
 * From the operator home through step 1 with a valid applicant (`more(page)` fills what else the
 * case needs, e.g. a delegate, before the two declarations) and step 2 with "Assegno Unico", to step 3.
 */
export async function fillToSede(page, { given, family, cf }, more = async () => undefined) {
  await page.getByRole('link', { name: 'Prenota appuntamento' }).click();
  await page.getByText('Passo 1 di 6').waitFor();
  await page.getByLabel('Nome', { exact: true }).fill(given);
  await page.getByLabel('Cognome', { exact: true }).fill(family);
  await page.getByLabel('Codice fiscale', { exact: true }).fill(cf);
  await page.getByLabel('Codice fiscale', { exact: true }).blur();
  await more(page);
  await page.getByRole('button', { name: 'Avanti' }).click();
  await page.getByText('Passo 2 di 6').waitFor();
  await tick(page, 'Assegno Unico e Universale');
  await page.getByRole('button', { name: 'Avanti' }).click();
  await page.getByText('Passo 3 di 6').waitFor();
}

/** Fills the wizard up to "Verifica dei dati" with a valid applicant; returns the held slot's instant. */
export async function fillToSummary(page, applicant) {
  await fillToSede(page, applicant);
  await page.locator('input[name="sportello"]').first().waitFor({ state: 'attached' });
  await page.getByRole('button', { name: 'Avanti' }).click();
  await page.getByText('Passo 4 di 6').waitFor();
  await page.locator('.slot-list label').first().click();
  const startsAt = await page.locator('.slot-list input:checked').getAttribute('value');
  await page.getByRole('button', { name: 'Avanti' }).click();
  await page.getByText('Passo 5 di 6').waitFor();
  await page.locator('#countdown').waitFor();
  return startsAt;
}

/**
 * In "Verifica dei dati": the operator's confirmations after the form was signed (the applicant's
 * and, with `delegate` 'paper' or 'digital', the delegate's documents).
 */
export async function confirmSigned(page, { delegate = null } = {}) {
  await tick(page, 'Il richiedente ha firmato il modulo di richiesta');
  await tick(page, 'Copia del documento d’identità del richiedente acquisita');
  if (delegate) await tick(page, 'Copia del documento d’identità del delegato acquisita');
  if (delegate === 'paper') await tick(page, 'Atto di delega firmato e copia del documento d’identità del delegante');
}

// ── Checks ──────────────────────────────────────────────────────────────────────────────────

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Serious and critical axe-core violations (WCAG 2.1 A/AA and best practices) of the page as it
 * is now. axe is evaluated through the DevTools protocol, which the page's CSP does not govern:
 * the page keeps its real CSP.
 */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    resultTypes: ['violations'],
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}

/** Every spelling of the citizen's data we look for (case-insensitive). */
const NEEDLES = [CITIZEN.codice_fiscale, CITIZEN.given_name, CITIZEN.family_name, `${CITIZEN.given_name} ${CITIZEN.family_name}`];

/**
 * The lines of `lines` (a server's log lines, its metrics) that contain the personal data of
 * `CITIZEN`, each prefixed with what was found: the PII check of the logs.
 */
export function findPii(lines) {
  const hits = [];
  for (const line of lines) {
    // Without the colour codes of the human format, which could split a word.
    // eslint-disable-next-line no-control-regex
    const lower = line.replace(/\x1b\[[0-9;]*m/g, '').toLowerCase();
    for (const needle of NEEDLES) {
      if (lower.includes(needle.toLowerCase())) hits.push(`${needle}: ${line}`);
    }
  }
  return hits;
}

/** Saves `<dir>/<name>.png` once the page's web fonts are in (`dir`: the artifacts by default). */
export async function screenshot(page, name, { fullPage = false, dir = artifactsDir } = {}) {
  mkdirSync(dir, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage });
}

// ── WebRTC and polling ──────────────────────────────────────────────────────────────────────

/** Inbound RTP totals of the page's peer connection (through `window.sportello.pc()`). */
export function inboundStats(page) {
  return page.evaluate(async () => {
    const pc = window.sportello?.pc();
    const out = { framesDecoded: 0, videoPackets: 0, audioPackets: 0, connectionState: pc?.connectionState ?? 'none' };
    if (!pc) return out;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') { out.framesDecoded += s.framesDecoded ?? 0; out.videoPackets += s.packetsReceived ?? 0; }
      if (s.kind === 'audio') out.audioPackets += s.packetsReceived ?? 0;
    });
    return out;
  });
}

/**
 * Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value. For
 * conditions that only an async call answers (`getStats()`, a `fetch`, two pages at once):
 * `page.waitForFunction` does not await a predicate's promise, and playwright-core has no
 * `expect.poll`. Anything a locator or the page's state answers waits through Playwright.
 */
export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => { setTimeout(r, intervalMs); });
  }
}

/** Nearest-rank percentile of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function meetingUrl(base, params) {
  return `${base}/?${new URLSearchParams(params).toString()}`;
}

/**
 * Signs meeting claims the way signalling/src/token.rs does, with the key the server keeps in
 * its data dir (`token.key`): `v1.<b64url(claims)>.<b64url(HMAC-SHA256)>`. Used to forge an
 * expired but otherwise valid token.
 */
export function signToken(dataDir, claims) {
  const key = readFileSync(join(dataDir, 'token.key'));
  // Every ticket carries its own single-use id.
  const withJti = { jti: randomBytes(16).toString('hex'), ...claims };
  const signed = `v1.${Buffer.from(JSON.stringify(withJti)).toString('base64url')}`;
  const tag = createHmac('sha256', key).update(signed).digest('base64url');
  return `${signed}.${tag}`;
}

// ── Layout at three sizes ───────────────────────────────────────────────────────────────────

/** Screenshots of the layout checks, for a human look at every page at every size. */
export const LAYOUT_SHOTS_DIR = '/tmp/shots-ui';

/**
 * The sizes every page is checked at: a common laptop, a phone, and the laptop at 200% browser
 * zoom. Zoom is emulated with the viewport it yields, 683×384 CSS pixels (1366×768 / 2), at
 * device scale factor 2: that is what browser zoom does to the layout (media queries, rem,
 * wrapping all see a 683 px wide window). `deviceScaleFactor` alone only sharpens the pixels
 * and reflows nothing; CSS `zoom` on the root leaves the media queries at 1366 px.
 */
export const LAYOUTS = [
  { name: '1366x768', viewport: { width: 1366, height: 768 } },
  { name: '390x844', viewport: { width: 390, height: 844 } },
  { name: 'zoom200', viewport: { width: 683, height: 384 } },
];

/** The viewport of `page` for layout `layout` (one of `LAYOUTS`), once the page reflowed. */
async function resizeTo(page, layout) {
  await page.setViewportSize(layout.viewport);
  await page.evaluate(() => new Promise((r) => { requestAnimationFrame(() => { requestAnimationFrame(r); }); }));
}

/**
 * What is wrong with the layout of `page` as it is now: a horizontal scroll bar, a visible
 * control that is not the element at its own centre once scrolled into view (covered by
 * something else, or clipped), a remote video tile narrower than 160 px, a name on a tile
 * taller than two lines (printed vertically). With an open modal dialog only its controls count
 * (the rest of the page is inert behind it).
 */
function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) problems.push(`horizontal scroll: ${doc.scrollWidth} > ${doc.clientWidth}`);
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const scope = [...document.querySelectorAll('dialog[open]')].pop() ?? document;
    const controls = [...scope.querySelectorAll('button, a[href], input, select, textarea, [role="button"]')];
    for (const control of controls) {
      // bootstrap-italia draws check boxes and radio buttons with their label: that is the target.
      const target = control instanceof HTMLInputElement && ['checkbox', 'radio'].includes(control.type)
        ? (control.labels?.[0] ?? control) : control;
      const style = getComputedStyle(target);
      let rect = target.getBoundingClientRect();
      // Not shown (hidden, display none, visually-hidden skip links): nothing to click.
      if (rect.width <= 1 || rect.height <= 1 || style.visibility === 'hidden' || target.closest('[hidden]')) continue;
      // Instant: bootstrap makes the page's scrolling smooth, and the rectangle is read at once.
      target.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
      rect = target.getBoundingClientRect();
      const x = rect.left + rect.width / 2;
      const y = rect.top + rect.height / 2;
      if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) {
        problems.push(`${describe(target)} cannot be scrolled into view (centre ${Math.round(x)},${Math.round(y)})`);
        continue;
      }
      const hit = document.elementFromPoint(x, y);
      if (!hit || !(hit === target || target.contains(hit))) {
        problems.push(`${describe(target)} is covered by ${hit ? describe(hit) : 'nothing'}`);
      }
    }
    window.scrollTo({ top: 0, left: 0, behavior: 'instant' });
    for (const tile of document.querySelectorAll('.tile-remote')) {
      const { width } = tile.getBoundingClientRect();
      if (width > 0 && width < 160) problems.push(`tile ${tile.getAttribute('aria-label')} is ${Math.round(width)} px wide`);
      const name = tile.querySelector('.tile-name');
      if (name && name.textContent) {
        const lines = name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight || '24');
        if (lines > 2.2) problems.push(`the name on tile ${tile.getAttribute('aria-label')} takes ${lines.toFixed(1)} lines`);
      }
    }
    return problems;
  });
}

/**
 * Checks `page` as it is now at every size of `LAYOUTS` (see `layoutProblems`) and with axe-core,
 * saves `<LAYOUT_SHOTS_DIR>/<name>-<size>.png`, runs `extra(page, layout)` (more checks of the
 * caller) at each size, and puts the page back at the first size. Fails with every problem found.
 */
export async function checkLayouts(page, name, extra = async () => []) {
  const found = [];
  for (const layout of LAYOUTS) {
    await resizeTo(page, layout);
    await screenshot(page, `${name}-${layout.name}`, { dir: LAYOUT_SHOTS_DIR, fullPage: true });
    found.push(...(await layoutProblems(page)).map((p) => `${layout.name}: ${p}`));
    found.push(...(await axeViolations(page)).map((v) => `${layout.name}: axe ${v.id} ${v.nodes.join(', ')}`));
    found.push(...(await extra(page, layout)).map((p) => `${layout.name}: ${p}`));
  }
  await resizeTo(page, LAYOUTS[0]);
  assert.deepEqual(found, [], `layout of ${name}`);
}
