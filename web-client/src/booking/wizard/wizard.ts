// The booking wizard, after the Designers Italia booking pattern: richiedente → servizio →
// sede e sportello → data e ora → riepilogo (with the 5-minute hold) → conferma. This file holds
// the moves between the steps and the hold; each step has its own file.

import type { ApiCode } from '../../apiCode';
import * as booking from '../api';
import { birthplaceText } from '../birthplaces';
import { dayOf, formatDay, formatRange, todayRome } from '../dates';
import { operatorComune } from '../names';
import type { Appointment, CitizenRequest, Comune, PrivacyNotice } from '../types';
import { bookingErrorText, STEP_TITLES } from '../../messages';
import { navigate } from '../../navigation';
import { markJustBooked } from '../../meetingDay/operatorHome';
import type { PageContext } from '../../staff/pages';
import { h } from '../../widgets/dom';
import { errorSummary, type Field } from '../../widgets/form';
import { ApplicantStep } from './applicantStep';
import { confirmation, tellTheCitizen } from './confirmationStep';
import { Confirmations } from './confirmations';
import { clearDraft, restoreDraft, saveDraft } from './draft';
import { type FormContext, requestForm } from './requestForm';
import { DateStep } from './dateStep';
import { countdownView, HoldTimer } from './holdTimer';
import { PlaceStep } from './placeStep';
import { ServiceStep } from './serviceStep';
import { def, errCode, type Problem, type StepHost } from './stepHost';
import { summary } from './summaryStep';

const STEPS = STEP_TITLES.length;

/** Errors of the server that send the operator back to the first step. */
const APPLICANT_ERRORS: ReadonlySet<string> = new Set<string>([
  'invalid_codice_fiscale', 'invalid_delegate_codice_fiscale', 'codice_fiscale_mismatch', 'invalid_birth_date',
  'invalid_name', 'invalid_email', 'invalid_phone', 'invalid_delegate', 'invalid_delegation_act',
  'delegation_missing', 'unknown_residence',
] satisfies ApiCode[]);
/** Errors after which the slot has to be chosen again. */
const SLOT_ERRORS: ReadonlySet<string> = new Set<string>([
  'hold_expired', 'slot_taken', 'conflict', 'hold_released', 'unknown_hold', 'hold_not_active', 'slot_in_past',
  'holiday', 'sede_closed', 'outside_opening_hours', 'too_far_ahead',
] satisfies ApiCode[]);

function randomKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the wizard needs from the server before the first step. */
interface Loaded {
  applicant: ApplicantStep;
  services: ServiceStep;
  comune: Comune | null;
  notice: PrivacyNotice;
}

class Wizard implements StepHost {
  private step = 1;
  readonly today = todayRome();
  readonly stepBox = h('div', { class: 'wizard-step', id: 'wizard-step', 'aria-live': 'polite' });
  private readonly progress = h('ol', { class: 'wizard-progress' });
  private readonly counter = h('p', { class: 'step-counter' });
  private readonly back = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Indietro');
  readonly next = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Avanti');
  private readonly nav = h('div', { class: 'wizard-nav no-print' }, this.back, this.next);
  private readonly printArea = h('div', { class: 'print-only', id: 'print-area' });
  private busy = false;

  private loaded!: Loaded;
  private readonly place = new PlaceStep(this, () => { this.date.reset(); });
  private readonly date = new DateStep(this, this.place);
  private readonly confirmations = new Confirmations();
  private hold: booking.PlacedHold | null = null;
  private holdKey = '';
  private readonly timer = new HoldTimer();
  private appointment: Appointment | null = null;
  /** "Sposta" (`?sposta=<appointment>`): the appointment being moved to another slot. */
  private moving: Appointment | null = null;
  private request: CitizenRequest | null = null;
  /** The booked applicant's birthplace with its name, for the printed form. */
  private birthplace = '';

  constructor(readonly ctx: PageContext) {
    this.back.addEventListener('click', () => { void this.goBack(); });
    this.next.addEventListener('click', () => { void this.goNext(); });
    // Enter in a field moves to the next step (never books: "Prenota" takes a click).
    this.stepBox.addEventListener('keydown', (ev) => {
      const t = ev.target;
      if (ev.key !== 'Enter' || ev.isComposing || !(t instanceof HTMLInputElement)) return;
      ev.preventDefault();
      if (this.step < 5) void this.goNext();
    });
    // The data of steps 1-2 survive a reload or the browser's Back (sessionStorage, draft.ts).
    const keep = (): void => { if (this.step <= 4 && !this.moving) saveDraft(this.draftRoots()); };
    this.stepBox.addEventListener('change', keep);
    this.stepBox.addEventListener('input', keep);
    // Also on reload or when the tab is closed (the staff app calls it on pagehide).
    ctx.onLeave(() => this.leave());
  }

  async start(): Promise<void> {
    const istat = this.ctx.principal.comune_istat ?? '';
    const [catalogue, comune, notice] = await Promise.all([
      booking.services(),
      operatorComune(istat, this.ctx.principal.comune_name),
      booking.privacyNotice(),
    ]);
    this.loaded = {
      applicant: new ApplicantStep(this, comune),
      services: new ServiceStep(this, catalogue),
      comune,
      notice,
    };
    const moveId = this.ctx.params.get('sposta');
    if (moveId) this.moving = await booking.appointment(moveId).catch(() => null);
    this.ctx.root.replaceChildren(
      h('div', { class: 'wizard' },
        h('div', { class: 'no-print' },
          h('h1', { tabindex: '-1' }, this.moving ? 'Sposta appuntamento' : 'Prenota appuntamento'),
          h('nav', { 'aria-label': 'Passi della prenotazione' }, this.progress),
          this.stepBox,
          this.nav),
        this.printArea));
    if (this.moving) {
      // Only the slot changes: the same main service, a new Sede/sportello, day and time.
      const m = this.moving;
      this.loaded.services.prefill([m.service_code]);
      this.loaded.services.render();
      this.show(3, `Sposta l’appuntamento di ${m.given_name} ${m.family_name} (codice ${m.code}), ora ${formatDay(dayOf(m.starts_at))} `
        + `alle ${formatRange(m.starts_at, m.ends_at)}: scelga il nuovo orario. Fino alla conferma l’appuntamento resta com’è.`);
      return;
    }
    if (moveId) {
      navigate('/operatore');
      return;
    }
    const followUp = await this.prefillFollowUp(istat);
    const restored = followUp === undefined && restoreDraft(this.draftRoots());
    this.show(1, followUp ?? (restored
      ? 'Sono stati recuperati i dati inseriti prima che la pagina fosse ricaricata: li controlli e prosegua.'
      : undefined));
  }

  /** The fields kept in the draft: the applicant and service steps (built once). */
  private draftRoots(): HTMLElement[] {
    return [this.loaded.applicant.render(), this.loaded.services.render()];
  }

  /**
   * "Prenota di nuovo" (`?richiamo=<appointment>`): fills the applicant and the services from the
   * follow-up of that appointment; returns the notice for the first step, if any.
   */
  private async prefillFollowUp(istat: string): Promise<string | undefined> {
    const id = this.ctx.params.get('richiamo');
    if (!id) return undefined;
    const list = await booking.followUps(istat).catch(() => []);
    const f = list.find((x) => x.appointment_id === id);
    if (!f) return 'Questo cittadino non è più da richiamare: forse è già stato prenotato un nuovo appuntamento. Compili i dati del richiedente.';
    this.loaded.applicant.prefill(f.applicant);
    this.loaded.services.prefill(f.services);
    return `Nuovo appuntamento per ${f.applicant.given_name} ${f.applicant.family_name}, da richiamare: i dati della richiesta precedente sono già compilati. Li controlli e confermi i documenti.`;
  }

  // ——— navigation ———

  private show(step: number, notice?: string): void {
    // Back to the applicant's data or the services: the form must be printed and signed again.
    if (step <= 2) this.confirmations.reset();
    this.step = step;
    this.progress.replaceChildren(...STEP_TITLES.map((t, i) => h('li', {
      class: i + 1 < step ? 'done' : i + 1 === step ? 'current' : 'todo',
      'aria-current': i + 1 === step ? 'step' : false,
    }, h('span', { class: 'visually-hidden' }, i + 1 < step ? 'Completato: ' : i + 1 === step ? 'Passo attuale: ' : 'Da fare: '), t)));
    this.counter.textContent = `Passo ${step} di ${STEPS}`;
    const title = h('h2', { class: 'step-title', tabindex: '-1' }, STEP_TITLES[step - 1] ?? '');
    const body = h('div', { class: 'step-body' });
    const alert = notice ? h('div', { class: 'alert alert-warning', role: 'alert' }, notice) : null;
    this.stepBox.replaceChildren(this.counter, title, alert ?? '', body);
    this.back.hidden = step === STEPS;
    this.back.textContent = step === 1 ? 'Annulla' : 'Indietro';
    this.next.hidden = step === STEPS;
    this.next.disabled = false;
    this.next.textContent = step === 5 ? (this.moving ? 'Conferma lo spostamento' : 'Prenota') : 'Avanti';
    this.next.classList.toggle('btn-book', step === 5);
    switch (step) {
      case 1: body.append(this.loaded.applicant.render()); break;
      case 2: body.append(this.loaded.services.render()); break;
      case 3: void this.place.render(body, this.loaded.services.selected()); break;
      case 4: void this.date.render(body); break;
      case 5: void this.summaryStep(body); break;
      case 6: this.confirmationStep(body); break;
    }
    if (step > 1) title.focus({ preventScroll: true });
    this.stepBox.scrollIntoView({ block: 'start' });
  }

  private async goBack(): Promise<void> {
    if (this.busy) return;
    if (this.step === 1 || (this.moving && this.step === 3)) {
      if (!this.moving) clearDraft();
      navigate('/operatore');
      return;
    }
    if (this.step === 5) await this.dropHold();
    this.show(this.step - 1);
  }

  private async goNext(): Promise<void> {
    if (this.busy) return;
    switch (this.step) {
      case 1: if (this.loaded.applicant.check()) this.show(2); break;
      case 2: if (this.loaded.services.check()) this.show(3); break;
      case 3: if (this.place.check()) this.show(4); break;
      case 4: if (this.date.check()) this.show(5); break;
      case 5: await (this.moving ? this.move(this.moving) : this.book()); break;
    }
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.next.disabled = busy;
    this.back.disabled = busy;
    this.stepBox.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  showProblems(problems: Problem[], fields: Field<HTMLElement>[]): boolean {
    this.stepBox.querySelector('.error-summary')?.remove();
    for (const f of fields) f.setError(null);
    if (problems.length === 0) return true;
    for (const p of problems) fields.find((f) => f.input === p.field)?.setError(p.message);
    const summary = errorSummary(problems);
    this.stepBox.querySelector('.step-title')?.after(summary);
    summary.focus();
    return false;
  }

  private async leave(): Promise<void> {
    this.timer.stop();
    if (this.hold && !this.appointment) {
      const id = this.hold.hold.id;
      this.hold = null;
      await booking.releaseHold(id).catch(() => undefined);
    }
  }

  // ——— step 5: riepilogo, with the hold ———

  private async summaryStep(body: HTMLElement): Promise<void> {
    const slot = this.date.slot;
    const choice = this.place.choice;
    if (!slot || !choice) return;
    this.next.disabled = true;
    body.append(h('p', { class: 'loading' }, 'Riservo l’orario scelto…'));
    this.setBusy(true);
    const services = this.loaded.services.selected();
    // The birthplace's name is looked up while the slot is held, so the summary shows up complete
    // (birthplaceText never fails: the code alone when the list cannot be loaded).
    const birthplace = birthplaceText(this.loaded.applicant.birthPlaceCode());
    try {
      this.hold = await booking.placeHold({
        sportello_id: choice.sportelloId, starts_at: slot.starts_at, service_code: services[0]?.code ?? '',
      });
      this.holdKey = randomKey();
    } catch (err) {
      this.setBusy(false);
      this.hold = null;
      const code = errCode(err);
      this.date.slot = null;
      this.date.slotCache = null;
      this.show(4, bookingErrorText(code));
      return;
    }
    const birthplaceLine = await birthplace;
    this.birthplace = birthplaceLine;
    this.setBusy(false);
    const countdown = countdownView(this.moving ? 'Conferma lo spostamento' : 'Prenota');
    if (this.moving) {
      const m = this.moving;
      body.replaceChildren(countdown.box, countdown.announce,
        h('dl', { class: 'summary-list summary' },
          ...def('Cittadino', `${m.given_name} ${m.family_name}`),
          ...def('Codice di prenotazione', m.code),
          ...def('Orario attuale', `${formatDay(dayOf(m.starts_at))}, ${formatRange(m.starts_at, m.ends_at)} – ${m.sede_name}, ${m.sportello_name}`),
          ...def('Nuovo orario', `${formatDay(dayOf(slot.starts_at))}, ${formatRange(slot.starts_at, slot.ends_at)} – ${choice.sedeName}, ${choice.sportelloName}`)),
        h('p', {}, 'Con «Conferma lo spostamento» il vecchio orario torna libero; il codice di prenotazione non cambia.'));
      this.timer.start(countdown, () => this.hold?.expiresAtLocal ?? null, () => { this.expired(); });
      return;
    }
    const print = h('button', { type: 'button', class: 'btn btn-primary btn-lg', id: 'print-form' }, 'Stampa il modulo da firmare');
    print.addEventListener('click', () => {
      this.printArea.replaceChildren(this.formBeforeBooking());
      window.print();
    });
    this.printArea.replaceChildren(this.formBeforeBooking());
    body.replaceChildren(countdown.box, countdown.announce,
      summary(this.loaded.applicant, services, this.loaded.services.notesText() ?? '', choice, slot, birthplaceLine),
      h('section', { class: 'sign-form', 'aria-labelledby': 'sign-title' },
        h('h3', { id: 'sign-title' }, 'Modulo di richiesta da firmare'),
        h('ol', { class: 'sign-steps' },
          h('li', {}, 'Stampi il modulo: contiene i dati qui sopra, l’informativa privacy e l’autorizzazione al trattamento dei dati.'),
          h('li', {}, 'Lo faccia leggere e firmare al richiedente', this.loaded.applicant.delegateKind().delegate ? ' e al delegato' : '', '.'),
          h('li', {}, 'Acquisisca le copie dei documenti, segni le conferme qui sotto e prema «Prenota».')),
        print),
      h('form', { class: 'sp-form', novalidate: true }, this.confirmations.render(this.loaded.applicant.delegateKind())));
    this.timer.start(countdown, () => this.hold?.expiresAtLocal ?? null, () => { this.expired(); });
  }

  /** The request form as printed before "Prenota": the held slot, no code yet. */
  private formBeforeBooking(): HTMLElement {
    const slot = this.date.slot;
    const choice = this.place.choice;
    const services = this.loaded.services.selected();
    const req = this.loaded.applicant.citizenRequest(services.map((s) => s.code), this.loaded.services.notesText(), this.confirmations);
    return requestForm({
      code: null,
      starts_at: slot?.starts_at ?? '',
      ends_at: slot?.ends_at ?? '',
      sede_name: choice?.sedeName ?? '',
      sportello_name: choice?.sportelloName ?? '',
    }, req, this.formContext());
  }

  private formContext(): FormContext {
    return {
      services: this.loaded.services.selected(),
      comune: this.loaded.comune,
      operatorName: this.ctx.principal.comune_name,
      residenceName: this.loaded.applicant.residenceName(),
      birthplace: this.birthplace,
      notice: this.loaded.notice,
    };
  }

  /** The hold lapsed: say so and offer to choose the time again. */
  private expired(): void {
    clearDraft();
    this.timer.stop();
    const hold = this.hold;
    this.hold = null;
    if (hold) void booking.releaseHold(hold.hold.id).catch(() => undefined);
    this.next.disabled = true;
    this.showSlotLost(bookingErrorText('hold_expired'));
  }

  private showSlotLost(message: string): void {
    this.date.slot = null;
    const again = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Scegli di nuovo data e ora');
    again.addEventListener('click', () => {
      this.date.slotCache = null;
      this.show(4);
    });
    const box = h('div', { class: 'alert alert-danger slot-lost', role: 'alert' }, h('p', {}, message), again);
    this.stepBox.querySelector('#countdown')?.replaceWith(box);
    this.next.disabled = true;
    again.focus();
  }

  private async dropHold(): Promise<void> {
    this.timer.stop();
    const hold = this.hold;
    this.hold = null;
    if (hold) await booking.releaseHold(hold.hold.id).catch(() => undefined);
  }

  private async book(): Promise<void> {
    const hold = this.hold;
    if (!hold) return;
    if (!this.showProblems(this.confirmations.problems(this.loaded.applicant.delegateKind()), this.confirmations.fields())) return;
    const req = this.loaded.applicant.citizenRequest(
      this.loaded.services.selected().map((s) => s.code), this.loaded.services.notesText(), this.confirmations);
    this.setBusy(true);
    this.next.textContent = 'Prenotazione in corso…';
    try {
      this.appointment = await booking.confirmHold(hold.hold.id, this.holdKey, req);
    } catch (err) {
      this.setBusy(false);
      this.next.textContent = 'Prenota';
      const code = errCode(err);
      if (SLOT_ERRORS.has(code)) {
        this.timer.stop();
        this.hold = null;
        this.showSlotLost(bookingErrorText(code));
        return;
      }
      const alert = h('div', { class: 'alert alert-danger', role: 'alert' }, h('p', {}, bookingErrorText(code)));
      if (APPLICANT_ERRORS.has(code)) {
        const fix = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Correggi i dati del richiedente');
        fix.addEventListener('click', () => { void this.dropHold().then(() => { this.show(1); }); });
        alert.append(fix);
      }
      this.stepBox.querySelector('.book-error')?.remove();
      alert.classList.add('book-error');
      this.stepBox.querySelector('#countdown')?.after(alert);
      alert.focus();
      return;
    }
    this.timer.stop();
    clearDraft();
    this.request = req;
    this.hold = null;
    markJustBooked(this.appointment.id);
    // Already loaded for the summary: the code alone if the list could not be loaded.
    this.birthplace = await birthplaceText(req.applicant.birth_place);
    this.setBusy(false);
    this.show(6);
  }

  /** "Conferma lo spostamento": the appointment moves into the held slot. */
  private async move(m: Appointment): Promise<void> {
    const hold = this.hold;
    if (!hold) return;
    this.setBusy(true);
    try {
      this.appointment = await booking.moveIntoHold(m.id, hold.hold.id);
    } catch (err) {
      this.setBusy(false);
      const code = errCode(err);
      if (SLOT_ERRORS.has(code)) {
        this.timer.stop();
        this.hold = null;
        this.showSlotLost(bookingErrorText(code));
        return;
      }
      this.stepBox.querySelector('.book-error')?.remove();
      const alert = h('div', { class: 'alert alert-danger book-error', role: 'alert' }, h('p', {}, bookingErrorText(code)));
      this.stepBox.querySelector('#countdown')?.after(alert);
      return;
    }
    this.timer.stop();
    this.hold = null;
    markJustBooked(this.appointment.id);
    this.setBusy(false);
    this.show(6);
  }

  // ——— step 6: conferma ———

  private confirmationStep(body: HTMLElement): void {
    const a = this.appointment;
    if (a && this.moving) {
      const home = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Torna all’area operatore');
      home.addEventListener('click', () => { navigate('/operatore'); });
      body.append(
        h('div', { class: 'alert alert-success confirmed', role: 'status' },
          h('p', { class: 'confirmed-when' }, `Spostato a ${formatDay(dayOf(a.starts_at))}, ore ${formatRange(a.starts_at, a.ends_at)}`),
          h('p', { class: 'confirmed-code' }, 'Codice di prenotazione: ', h('strong', { class: 'booking-code' }, a.code))),
        tellTheCitizen(a, this.loaded.comune?.name ?? this.ctx.principal.comune_name ?? a.comune_name, a.has_delegate, a.has_delegate),
        h('p', {}, 'Dall’area operatore può ristampare il modulo con il nuovo orario («Ristampa il modulo»).'),
        h('div', { class: 'confirm-actions' }, home));
      return;
    }
    const req = this.request;
    if (!a || !req) return;
    confirmation(body, this.printArea, a, req, this.formContext());
  }
}

export async function renderWizard(ctx: PageContext): Promise<void> {
  await new Wizard(ctx).start();
}
