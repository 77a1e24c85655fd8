// The call on screen, whichever page started it (the demo landing or a staff page):
// the test hook and the page-hide handler read it from here.

import type { Call } from './call';

let active: Call | null = null;

export function currentCall(): Call | null {
  return active;
}

export function setCurrentCall(call: Call | null): void {
  active = call;
}
