// The countdown of the 5-minute hold on the summary step: minutes and seconds left to press
// "Prenota", urgent in the last minute (announced once to screen readers), expired at zero.

import { formatCountdown } from '../dates';
import { h } from '../../widgets/dom';

/** The countdown box, its clock, and the assertive live region for the one-minute warning. */
export interface CountdownView {
  box: HTMLElement;
  value: HTMLElement;
  announce: HTMLElement;
  /** The button that confirms ("Prenota", or "Conferma lo spostamento" when moving). */
  action: string;
}

export function countdownView(action = 'Prenota'): CountdownView {
  const value = h('span', { class: 'countdown-value' });
  const box = h('div', { class: 'countdown', id: 'countdown' },
    h('p', { class: 'mb-1' }, `L’orario è riservato per lei. Tempo rimasto per premere “${action}”:`),
    h('p', { class: 'countdown-clock', role: 'timer', 'aria-live': 'off', 'aria-atomic': 'true' }, value, ' minuti'));
  const announce = h('p', { class: 'visually-hidden', 'aria-live': 'assertive' });
  return { box, value, announce, action };
}

export class HoldTimer {
  private timer: number | null = null;

  /**
   * Ticks four times a second. `expiresAt` gives the local time (ms) when the hold lapses, or
   * null once there is no hold (then the tick does nothing); `onExpired` runs when it is reached.
   */
  start(view: CountdownView, expiresAt: () => number | null, onExpired: () => void): void {
    this.stop();
    let warned = false;
    const tick = (): void => {
      const at = expiresAt();
      if (at === null) return;
      const left = (at - Date.now()) / 1000;
      view.value.textContent = formatCountdown(left);
      view.box.classList.toggle('is-urgent', left <= 60);
      if (left <= 60 && !warned) {
        warned = true;
        view.announce.textContent = `Manca un minuto: prema “${view.action}” per confermare.`;
      }
      if (left <= 0) onExpired();
    };
    tick();
    this.timer = window.setInterval(tick, 250);
  }

  stop(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }
}
