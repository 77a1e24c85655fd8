// The kiosk after the official closed the videochiamata: "Com’è andata la videochiamata?" with
// five large faces (native radio buttons: one tab stop, arrows move, each with its words), an
// optional short comment, "Invia" and a quieter "Salta". Then the thanks and the ended page.
// The answer is anonymous: the server keeps the day, the comune and the Sede, nothing else.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import { meetingErrorText, RATING_LABEL } from '../messages';
import { h } from '../widgets/dom';
import { kioskEndedPage, kioskPage } from './kioskPages';

const COMMENT_MAX = 500;
/** The server keeps the session 15 minutes after the close: the screen gives up a little before. */
const GIVE_UP_MS = 14 * 60_000;

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string>): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** A face for rating 1..5: the mouth goes from a frown to a broad smile. */
function face(rating: number): SVGElement {
  const root = svg('svg', { viewBox: '0 0 64 64', class: `face face-${rating}`, 'aria-hidden': 'true', focusable: 'false' });
  root.append(
    svg('circle', { cx: '32', cy: '32', r: '29', class: 'face-skin' }),
    svg('circle', { cx: '22', cy: '25', r: '4', class: 'face-ink' }),
    svg('circle', { cx: '42', cy: '25', r: '4', class: 'face-ink' }));
  // The mouth: its corners and the control point of its curve (above the corners frowns,
  // below smiles; 3 is a straight line).
  const [corner, control] = [[46, 32], [45, 38], [44, 44], [41, 50], [39, 58]][rating - 1] ?? [44, 44];
  root.append(svg('path', { d: `M18 ${corner} Q32 ${control} 46 ${corner}`, class: 'face-mouth' }));
  return root;
}

function show(holder: HTMLElement, page: HTMLElement): void {
  holder.replaceChildren(page);
  page.querySelector<HTMLElement>('h1')?.focus();
}

/** The thanks after the answer; then the kiosk is done. */
export function kioskThanksPage(): HTMLElement {
  return kioskPage('feedback-thanks', 'Grazie per la sua risposta.',
    'La videochiamata è terminata. Se deve ricevere documenti o un nuovo appuntamento, l’operatore del Comune glielo dirà.',
    'Può lasciare la postazione.');
}

/** The feedback screen of the kiosk's citizen session (`csrf`), in a holder it swaps itself in. */
export function kioskFeedbackPage(csrf: string): HTMLElement {
  const holder = h('div', { class: 'feedback-holder' });
  let done = false;
  const finish = (page: HTMLElement): void => {
    if (done) return;
    done = true;
    window.clearTimeout(giveUp);
    show(holder, page);
  };
  const giveUp = window.setTimeout(() => { finish(kioskEndedPage()); }, GIVE_UP_MS);

  const error = h('p', { class: 'alert alert-danger feedback-error', role: 'alert', id: 'feedback-error', hidden: true });
  const choices = RATING_LABEL.map((label, i) => {
    const value = String(i + 1);
    const id = `rating-${value}`;
    const input = h('input', { type: 'radio', name: 'rating', id, value, class: 'rating-input' });
    // The mark of the chosen face is for the eye only: the radio button already says "selected".
    const choice = h('label', { class: 'rating-choice', for: id },
      h('span', { class: 'rating-label' }, label),
      h('span', { class: 'rating-check', 'aria-hidden': 'true' }, '✓ Scelto'));
    choice.prepend(face(i + 1));
    return { input, wrap: h('div', { class: 'rating-option' }, input, choice) };
  });
  const comment = h('textarea', {
    class: 'form-control feedback-comment', id: 'feedback-comment', rows: '3', maxlength: String(COMMENT_MAX),
    'aria-describedby': 'feedback-comment-hint',
  });
  const send = h('button', { type: 'submit', class: 'btn btn-primary btn-lg btn-feedback-send', id: 'btn-feedback-send' }, 'Invia');
  const skip = h('button', { type: 'button', class: 'btn btn-link btn-lg btn-feedback-skip', id: 'btn-feedback-skip' }, 'Salta');
  const form = h('form', { class: 'feedback-form', novalidate: true },
    h('fieldset', { class: 'rating-faces' },
      h('legend', { class: 'visually-hidden' }, 'Scelga una risposta'),
      ...choices.map((c) => c.wrap)),
    h('div', { class: 'feedback-field' },
      h('label', { for: 'feedback-comment', class: 'feedback-label' }, 'Vuole aggiungere qualcosa? ', h('span', { class: 'optional' }, '(facoltativo)')),
      h('p', { class: 'feedback-hint', id: 'feedback-comment-hint' }, 'Al massimo 500 caratteri. Non scriva il suo nome né dati personali.'),
      comment),
    error,
    h('div', { class: 'feedback-buttons' }, send, skip));

  const page = h('div', { class: 'ended-page kiosk-page feedback-page', id: 'kiosk-feedback' },
    h('h1', { tabindex: '-1', class: 'ended-title', id: 'feedback-title' }, 'Com’è andata la videochiamata?'),
    h('p', { class: 'lead kiosk-next' }, 'Il funzionario INPS ha chiuso la videochiamata. Tocchi la faccina che la descrive meglio: la risposta è anonima.'),
    form);

  // Once a face is chosen, the "choose one" message no longer applies.
  for (const c of choices) c.input.addEventListener('change', () => { error.hidden = true; });

  let busy = false;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (busy) return;
    const chosen = choices.find((c) => c.input.checked);
    if (!chosen) {
      error.textContent = meetingErrorText('bad_rating');
      error.hidden = false;
      choices[0]?.input.focus();
      return;
    }
    busy = true;
    send.disabled = true;
    skip.disabled = true;
    error.hidden = true;
    const text = comment.value.trim();
    booking.giveFeedback(csrf, { rating: Number(chosen.input.value), ...(text ? { comment: text } : {}) })
      .then(() => { finish(kioskThanksPage()); }, (err: unknown) => {
        const code = err instanceof ApiError ? err.code : 'network';
        // Given already, or the time for it is over: nothing more to do here.
        if (code === 'feedback_already_given' || (err instanceof ApiError && err.status === 401)) {
          finish(kioskEndedPage());
          return;
        }
        busy = false;
        send.disabled = false;
        skip.disabled = false;
        error.textContent = meetingErrorText(code);
        error.hidden = false;
      });
  });
  skip.addEventListener('click', () => {
    if (busy) return;
    busy = true;
    // The session ends now rather than at the end of its grace; the page goes on regardless.
    void booking.endCitizenSession(csrf).catch(() => undefined);
    finish(kioskEndedPage());
  });
  holder.append(page);
  return holder;
}
