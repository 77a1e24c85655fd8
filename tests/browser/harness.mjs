// Shared helpers of the browser end-to-end tests: start the sportello binary, launch the
// system Chromium with fake media, read WebRTC stats through the page's test hook.

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const artifactsDir = join(here, 'artifacts');
mkdirSync(artifactsDir, { recursive: true });

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
 * A page in its own browser context (its own cookies and storage: a separate person).
 * Records console errors, CSP violations and requests that leave the server's origin.
 */
export async function newParticipantPage(browser, serverUrl, { bypassCSP = false, viewport = { width: 1280, height: 800 } } = {}) {
  const origin = new URL(serverUrl).origin;
  const context = await browser.newContext({ viewport, bypassCSP, locale: 'it-IT' });
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

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
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
  const signed = `v1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const tag = createHmac('sha256', key).update(signed).digest('base64url');
  return `${signed}.${tag}`;
}
