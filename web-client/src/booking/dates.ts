// Dates in Italian time (Europe/Rome), whatever the computer's time zone.

const TZ = 'Europe/Rome';
const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const longDay = new Intl.DateTimeFormat('it-IT', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const time = new Intl.DateTimeFormat('it-IT', { timeZone: TZ, hour: '2-digit', minute: '2-digit' });

/** How far the server's clock is ahead of this computer's, in ms (from `GET /v1/session`). */
let serverOffsetMs = 0;

/** Records the server's "now" (the booking clock, which may differ from this computer's clock). */
export function setServerNow(serverNow: string): void {
  const at = Date.parse(serverNow);
  if (Number.isFinite(at)) serverOffsetMs = at - Date.now();
}

/** Now by the server's clock, in ms since the epoch. */
export function serverNowMs(): number {
  return Date.now() + serverOffsetMs;
}

/** Today in Italy, YYYY-MM-DD. */
export function todayRome(now = Date.now()): string {
  return isoDay.format(new Date(now));
}

/** YYYY-MM-DD plus `n` days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The Italian day of an instant from the server (its offset is Italy's): YYYY-MM-DD. */
export function dayOf(instant: string): string {
  return isoDay.format(new Date(instant));
}

/** "martedì 24 novembre 2026". */
export function formatDay(day: string): string {
  return longDay.format(new Date(`${day}T12:00:00Z`));
}

/** "08:30". */
export function formatTime(instant: string): string {
  return time.format(new Date(instant));
}

/** "08:30–09:00". */
export function formatRange(start: string, end: string): string {
  return `${formatTime(start)}–${formatTime(end)}`;
}

/** "4:05" for a number of seconds. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Whether `s` is a real calendar day written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** "05/05/1952" for 1952-05-05. */
export function italianDate(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? `${m[3] ?? ''}/${m[2] ?? ''}/${m[1] ?? ''}` : '';
}

/** A date written the Italian way (5/5/1952, 05-05-1952, 05.05.1952) as YYYY-MM-DD, or null. */
export function parseItalianDate(text: string): string | null {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text.trim());
  if (!m) return null;
  const day = `${m[3] ?? ''}-${(m[2] ?? '').padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}`;
  return isDay(day) ? day : null;
}
