// The meeting session on screen, whichever page started it (the demo landing or a staff page):
// the test hook and the page-hide handler read it from here.

import type { Session } from './session';

let active: Session | null = null;

export function activeSession(): Session | null {
  return active;
}

export function setActiveSession(session: Session | null): void {
  active = session;
}
