// Client-side check of the codice fiscale, mirrored from src/codice_fiscale.rs so that the
// operator sees a mistake at once. The server checks again and is authoritative.

const OMOCODIA = 'LMNPQRSTUV';
const MONTHS = 'ABCDEHLMPRST';
/** Values of the characters in odd positions (1, 3, … 15), indexed by digit or letter. */
const ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
/** 0-based positions that hold digits (or their omocodia letters). */
const DIGIT_POSITIONS = [6, 7, 9, 10, 12, 13, 14];

export type CfProblem = 'empty' | 'length' | 'charset' | 'position' | 'month' | 'day' | 'place' | 'check';

export interface ParsedCf {
  code: string;
  /** YYYY-MM-DD, the century chosen so that the date is not after today. */
  birthDate: string | null;
  sex: 'M' | 'F';
  /** Belfiore code of the birthplace. */
  belfiore: string;
}

export type CfResult = { ok: true; cf: ParsedCf } | { ok: false; problem: CfProblem; position?: number };

function omocodiaDigit(c: string): number | null {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  const p = OMOCODIA.indexOf(c);
  return p >= 0 ? p : null;
}

function value(c: string): number {
  return c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65;
}

/** The check character of the first 15 upper-case characters. */
export function checkCharacter(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const v = value(first15.charAt(i));
    sum += i % 2 === 0 ? (ODD[v] ?? 0) : v;
  }
  return String.fromCharCode(65 + (sum % 26));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function validDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Parses and validates like the server (spaces around ignored, case-insensitive). */
export function parseCodiceFiscale(input: string, today: string): CfResult {
  const code = input.trim().toUpperCase();
  if (!code) return { ok: false, problem: 'empty' };
  if (!/^[A-Z0-9]*$/.test(code)) return { ok: false, problem: 'charset' };
  if (code.length !== 16) return { ok: false, problem: 'length' };
  for (let i = 0; i < 16; i++) {
    const c = code.charAt(i);
    const ok = DIGIT_POSITIONS.includes(i) ? omocodiaDigit(c) !== null : c >= 'A' && c <= 'Z';
    if (!ok) return { ok: false, problem: 'position', position: i + 1 };
  }
  const digit = (i: number): number => omocodiaDigit(code.charAt(i)) ?? 0;
  const month = MONTHS.indexOf(code.charAt(8)) + 1;
  if (month === 0) return { ok: false, problem: 'month' };
  const rawDay = digit(9) * 10 + digit(10);
  const day = rawDay >= 41 && rawDay <= 71 ? rawDay - 40 : rawDay;
  if (!((rawDay >= 1 && rawDay <= 31) || (rawDay >= 41 && rawDay <= 71))) return { ok: false, problem: 'day' };
  const yy = digit(6) * 10 + digit(7);
  if (!validDate(yy % 4 === 0 ? 2000 + yy : 2001, month, day)) return { ok: false, problem: 'day' };
  const placeLetter = code.charAt(11);
  if (!(placeLetter <= 'M' || placeLetter === 'Z')) return { ok: false, problem: 'place' };
  if (checkCharacter(code.slice(0, 15)) !== code.charAt(15)) return { ok: false, problem: 'check' };

  const todayYear = Number(today.slice(0, 4));
  const century = todayYear - (todayYear % 100);
  let birthDate: string | null = null;
  for (const c of [century, century - 100]) {
    if (!validDate(c + yy, month, day)) continue;
    const d = `${c + yy}-${pad(month)}-${pad(day)}`;
    if (d <= today) { birthDate = d; break; }
  }
  const belfiore = `${placeLetter}${digit(12)}${digit(13)}${digit(14)}`;
  return { ok: true, cf: { code, birthDate, sex: rawDay > 40 ? 'F' : 'M', belfiore } };
}
