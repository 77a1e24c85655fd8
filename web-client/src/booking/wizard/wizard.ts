// The booking wizard, after the Designers Italia booking pattern: richiedente → servizio →
// sede e sportello → data e ora → riepilogo (with the 5-minute hold) → conferma.

import { ApiError } from '../../api';
import * as booking from '../api';
import { parseCodiceFiscale } from '../codiceFiscale';
import {
  addDays, dayOf, formatCountdown, formatDay, formatRange, formatTime, isDay, italianDate, parseItalianDate, todayRome,
} from '../dates';
import { operatorComune } from '../names';
import type { Appointment, CitizenRequest, Comune, PrivacyNotice, Service, Sex, Slot } from '../types';
import { bookingErrorText, codiceFiscaleText, STEP_TITLES } from '../../messages';
import { navigate } from '../../navigation';
import { h } from '../../widgets/dom';
import { checkField, clearSummaryItem, errorSummary, type Field, radioGroup, type RadioGroup, textArea, textField } from '../../widgets/form';
import { markJustBooked } from '../../meetingDay/operatorHome';
import { requestForm } from './requestForm';
import type { PageContext } from '../../staff/pages';

/** How far ahead the server lets a slot be booked (MAX_AHEAD_DAYS in src/booking/mod.rs). */
const MAX_AHEAD_DAYS = 366;
/** The longest slot query (MAX_RANGE_DAYS): 31 days, both ends included. */
const SLOT_WINDOW_DAYS = 30;
const STEPS = STEP_TITLES.length;

interface Choice {
  sportelloId: string;
  sportelloName: string;
  sedeName: string;
  kind: string;
  reason: string;
  slotMinutes: number;
}

interface Problem {
  field: HTMLElement;
  message: string;
}

/** Errors of the server that send the operator back to the first step. */
const APPLICANT_ERRORS = new Set([
  'invalid_codice_fiscale', 'invalid_delegate_codice_fiscale', 'codice_fiscale_mismatch', 'invalid_birth_date',
  'invalid_name', 'invalid_email', 'invalid_phone', 'invalid_delegate', 'invalid_delegation_act',
  'delegation_missing', 'gdpr_notice_not_signed', 'unknown_residence',
]);
/** Errors after which the slot has to be chosen again. */
const SLOT_ERRORS = new Set([
  'hold_expired', 'slot_taken', 'conflict', 'hold_released', 'unknown_hold', 'hold_not_active', 'slot_in_past',
  'holiday', 'sede_closed', 'outside_opening_hours', 'too_far_ahead',
]);

function randomKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function errCode(err: unknown): string {
  return err instanceof ApiError ? err.code : 'internal';
}

/** "a Villanova Monteleone", "ad Alghero". */
function inComune(name: string): string {
  return /^a/i.test(name) ? `ad ${name}` : `a ${name}`;
}

function def(term: string, value: string | Node | null): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value ?? '–')];
}

class Wizard {
  private step = 1;
  private readonly today = todayRome();
  private readonly stepBox = h('div', { class: 'wizard-step', id: 'wizard-step', 'aria-live': 'polite' });
  private readonly progress = h('ol', { class: 'wizard-progress' });
  private readonly counter = h('p', { class: 'step-counter' });
  private readonly back = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Indietro');
  private readonly next = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Avanti');
  private readonly nav = h('div', { class: 'wizard-nav no-print' }, this.back, this.next);
  private readonly printArea = h('div', { class: 'print-only', id: 'print-area' });
  private busy = false;

  // Step 1: the applicant (built once; the fields keep their values when going back).
  private readonly givenName = textField('given-name', 'Nome', { required: true, maxlength: 100, autocomplete: 'off' });
  private readonly familyName = textField('family-name', 'Cognome', { required: true, maxlength: 100 });
  private readonly cf = textField('codice-fiscale', 'Codice fiscale', {
    required: true, maxlength: 16, className: 'cf-input',
    hint: '16 caratteri, come sulla tessera sanitaria. Data, sesso e luogo di nascita si compilano da soli.',
  });
  private readonly birthDate = textField('birth-date', 'Data di nascita', {
    required: true, maxlength: 10, inputmode: 'numeric', hint: 'Giorno/mese/anno, per esempio 05/05/1952.',
  });
  private readonly sex = radioGroup('sex', 'Sesso', [{ value: 'F', label: 'Femminile' }, { value: 'M', label: 'Maschile' }], null);
  private readonly birthPlace = textField('birth-place', 'Luogo di nascita (codice catastale)', {
    required: true, maxlength: 4,
    hint: 'Il codice di 4 caratteri del comune o dello Stato estero di nascita, come nel codice fiscale (per esempio H501 per Roma).',
  });
  private readonly birthPlaceName = h('p', { class: 'field-note', 'aria-live': 'polite' });
  private residence!: RadioGroup;
  private readonly residenceOther = textField('residence-name', 'Nome del comune di residenza', {
    required: true, maxlength: 60, autocomplete: 'off', hint: 'Scriva le prime lettere del nome, poi scelga il comune nell’elenco qui sotto.',
  });
  private readonly residenceChoice = h('select', { class: 'form-select', id: 'residence-istat' });
  private readonly residenceNote = h('p', { class: 'field-note', 'aria-live': 'polite' });
  private readonly residenceChoiceWrap = h('div', { class: 'field', hidden: true },
    h('label', { for: 'residence-istat' }, 'Comune trovato'), this.residenceChoice);
  private residenceTimer: number | undefined;
  private residenceAsked = '';
  private readonly email = textField('email', 'E-mail', { type: 'email', required: false, maxlength: 254 });
  private readonly phone = textField('phone', 'Telefono', { type: 'tel', required: false, maxlength: 20, inputmode: 'tel' });
  private readonly delegateOn = checkField('delegate-on', 'Il richiedente è rappresentato da un delegato');
  private readonly dGiven = textField('delegate-given-name', 'Nome del delegato', { required: true, maxlength: 100 });
  private readonly dFamily = textField('delegate-family-name', 'Cognome del delegato', { required: true, maxlength: 100 });
  private readonly dCf = textField('delegate-codice-fiscale', 'Codice fiscale del delegato', { required: true, maxlength: 16, className: 'cf-input' });
  private readonly delegationKind = radioGroup('delegation-kind', 'Tipo di delega', [
    { value: 'paper', label: 'Atto di delega su carta' },
    { value: 'digital', label: 'Delega dell’identità digitale già registrata presso l’INPS' },
  ], null);
  private readonly act = textField('delegation-act', 'Riferimento dell’atto di delega', {
    required: true, maxlength: 200, hint: 'Per esempio la data e il numero di protocollo dell’atto.',
  });
  private readonly delegatorId = checkField('delegator-id-copy', 'Copia del documento d’identità del delegante acquisita');
  private readonly paperBox = h('div', { class: 'sub-box', hidden: true }, this.act.wrap, this.delegatorId.wrap);
  private readonly delegateBox = h('div', { class: 'sub-box', hidden: true },
    this.dGiven.wrap, this.dFamily.wrap, this.dCf.wrap, this.delegationKind.wrap, this.paperBox);
  private readonly gdpr = checkField('gdpr', 'Informativa privacy (art. 13 Reg. UE 2016/679) firmata',
    'Il modulo con l’informativa si stampa alla fine della prenotazione; se il richiedente l’ha già firmato su carta, segni la casella.');
  private readonly idCopy = checkField('id-copy', 'Copia del documento d’identità acquisita');
  private applicantForm: HTMLElement | null = null;

  // Step 2.
  private catalogue: Service[] = [];
  private serviceBoxes: Field[] = [];
  private readonly notes = textArea('notes', 'Note per il funzionario INPS', 'Per esempio il motivo della richiesta. Non scriva dati sanitari.', 1000);
  private serviceFieldset: HTMLFieldSetElement | null = null;

  // Steps 3–6.
  private comune: Comune | null = null;
  private notice: PrivacyNotice | null = null;
  private choice: Choice | null = null;
  private day: string | null = null;
  private slot: Slot | null = null;
  private slotCache: { from: string; to: string; sportello: string; slots: Slot[] } | null = null;
  private hold: booking.PlacedHold | null = null;
  private holdKey = '';
  private timer: number | null = null;
  private appointment: Appointment | null = null;
  private request: CitizenRequest | null = null;

  constructor(private readonly ctx: PageContext) {
    this.back.addEventListener('click', () => { void this.goBack(); });
    this.next.addEventListener('click', () => { void this.goNext(); });
    // Also on reload or when the tab is closed (the staff app calls it on pagehide).
    ctx.onLeave(() => this.leave());
  }

  async start(): Promise<void> {
    const istat = this.ctx.principal.comune_istat ?? '';
    const [catalogue, comune, notice] = await Promise.all([
      booking.services(),
      operatorComune(istat, this.ctx.principal.comune_name),
      booking.privacyNotice().catch(() => null),
    ]);
    this.catalogue = catalogue;
    this.comune = comune;
    this.notice = notice;
    this.residence = radioGroup('residence', 'Comune di residenza', [
      { value: istat, label: comune?.name ?? this.ctx.principal.comune_name ?? `codice ISTAT ${istat}` },
      { value: 'other', label: 'Un altro comune' },
    ], istat);
    this.residenceOther.wrap.hidden = true;
    for (const input of this.residence.inputs) {
      input.addEventListener('change', () => {
        const other = this.residence.value() === 'other';
        this.residenceOther.wrap.hidden = !other;
        this.residenceChoiceWrap.hidden = !other || this.residenceChoice.options.length === 0;
        this.residenceNote.hidden = !other;
      });
    }
    this.residenceOther.input.addEventListener('input', () => {
      window.clearTimeout(this.residenceTimer);
      this.residenceTimer = window.setTimeout(() => { void this.searchResidence(); }, 250);
    });
    this.cf.input.addEventListener('input', () => { this.cf.input.value = this.cf.input.value.toUpperCase(); });
    this.cf.input.addEventListener('change', () => { this.fillFromCf(); });
    this.dCf.input.addEventListener('input', () => { this.dCf.input.value = this.dCf.input.value.toUpperCase(); });
    this.birthPlace.input.addEventListener('input', () => {
      this.birthPlace.input.value = this.birthPlace.input.value.toUpperCase();
      this.showBirthPlaceName();
    });
    this.delegateOn.input.addEventListener('change', () => { this.delegateBox.hidden = !this.delegateOn.input.checked; });
    for (const input of this.delegationKind.inputs) {
      input.addEventListener('change', () => { this.paperBox.hidden = this.delegationKind.value() !== 'paper'; });
    }

    this.ctx.root.replaceChildren(
      h('div', { class: 'wizard' },
        h('div', { class: 'no-print' },
          h('h1', { tabindex: '-1' }, 'Prenota appuntamento'),
          h('nav', { 'aria-label': 'Passi della prenotazione' }, this.progress),
          this.stepBox,
          this.nav),
        this.printArea));
    this.show(1);
  }

  // ——— navigation ———

  private show(step: number, notice?: string): void {
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
    this.next.textContent = step === 5 ? 'Prenota' : 'Avanti';
    this.next.classList.toggle('btn-book', step === 5);
    switch (step) {
      case 1: body.append(this.applicantStep()); break;
      case 2: body.append(this.serviceStep()); break;
      case 3: void this.placeStep(body); break;
      case 4: void this.dateStep(body); break;
      case 5: void this.summaryStep(body); break;
      case 6: this.confirmationStep(body); break;
    }
    if (step > 1) title.focus({ preventScroll: true });
    this.stepBox.scrollIntoView({ block: 'start' });
  }

  private async goBack(): Promise<void> {
    if (this.busy) return;
    if (this.step === 1) {
      navigate('/operatore');
      return;
    }
    if (this.step === 5) await this.dropHold();
    this.show(this.step - 1);
  }

  private async goNext(): Promise<void> {
    if (this.busy) return;
    switch (this.step) {
      case 1: if (this.checkApplicant()) this.show(2); break;
      case 2: if (this.checkServices()) this.show(3); break;
      case 3: if (this.checkPlace()) this.show(4); break;
      case 4: if (this.checkSlot()) this.show(5); break;
      case 5: await this.book(); break;
    }
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.next.disabled = busy;
    this.back.disabled = busy;
    this.stepBox.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  private showProblems(problems: Problem[], fields: Field<HTMLElement>[]): boolean {
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
    this.stopTimer();
    if (this.hold && !this.appointment) {
      const id = this.hold.hold.id;
      this.hold = null;
      await booking.releaseHold(id).catch(() => undefined);
    }
  }

  // ——— step 1: richiedente ———

  private applicantStep(): HTMLElement {
    this.applicantForm ??= h('form', { class: 'sp-form', novalidate: true },
      h('fieldset', { class: 'form-section' },
        h('legend', {}, 'Dati del richiedente'),
        h('div', { class: 'field-row' }, this.givenName.wrap, this.familyName.wrap),
        this.cf.wrap,
        h('div', { class: 'field-row' }, this.birthDate.wrap, this.sex.wrap),
        this.birthPlace.wrap,
        this.birthPlaceName,
        this.residence.wrap,
        this.residenceOther.wrap,
        this.residenceNote,
        this.residenceChoiceWrap,
        h('div', { class: 'field-row' }, this.email.wrap, this.phone.wrap)),
      h('fieldset', { class: 'form-section' },
        h('legend', {}, 'Delegato'),
        this.delegateOn.wrap,
        this.delegateBox),
      h('fieldset', { class: 'form-section' },
        h('legend', {}, 'Documenti'),
        this.gdpr.wrap,
        this.idCopy.wrap));
    this.applicantForm.addEventListener('submit', (ev) => { ev.preventDefault(); });
    return this.applicantForm;
  }

  /** Fills birth date, sex and birthplace from a valid codice fiscale (only empty fields). */
  private fillFromCf(): void {
    const r = parseCodiceFiscale(this.cf.input.value, this.today);
    if (!r.ok) return;
    const fill = (f: Field<HTMLElement>, empty: boolean, set: () => void): void => {
      if (!empty) return;
      set();
      f.setError(null);
      clearSummaryItem(f.input.id);
    };
    fill(this.birthDate, !this.birthDate.input.value && r.cf.birthDate !== null, () => { this.birthDate.input.value = italianDate(r.cf.birthDate ?? ''); });
    fill(this.sex, !this.sex.value(), () => { this.sex.set(r.cf.sex); });
    fill(this.birthPlace, !this.birthPlace.input.value, () => { this.birthPlace.input.value = r.cf.belfiore; });
    this.showBirthPlaceName();
  }

  private showBirthPlaceName(): void {
    const code = this.birthPlace.input.value.trim().toUpperCase();
    this.birthPlaceName.textContent = this.comune && code === this.comune.belfiore ? `Nato/a ${inComune(this.comune.name)}` : '';
  }

  /** "L989 (Villanova Monteleone)" when the code is the operator's comune, else the code. */
  private birthPlaceText(): string {
    const code = this.birthPlace.input.value.trim().toUpperCase();
    return this.comune && code === this.comune.belfiore ? `${code} (${this.comune.name})` : code;
  }

  private checkApplicant(): boolean {
    const p: Problem[] = [];
    const need = (f: Field, message: string): boolean => {
      if (f.input.value.trim()) return true;
      p.push({ field: f.input, message });
      return false;
    };
    need(this.givenName, 'Scriva il nome del richiedente.');
    need(this.familyName, 'Scriva il cognome del richiedente.');
    const cf = parseCodiceFiscale(this.cf.input.value, this.today);
    if (!cf.ok) {
      p.push({ field: this.cf.input, message: codiceFiscaleText(cf.problem, cf.position) });
    }
    const birth = parseItalianDate(this.birthDate.input.value);
    if (!birth) {
      p.push({ field: this.birthDate.input, message: 'Scriva la data di nascita come giorno/mese/anno, per esempio 05/05/1952.' });
    } else if (birth > this.today || birth < '1900-01-01') {
      p.push({ field: this.birthDate.input, message: 'La data di nascita non è plausibile.' });
    } else if (cf.ok && cf.cf.birthDate !== null && birth.slice(2) !== cf.cf.birthDate.slice(2)) {
      p.push({ field: this.birthDate.input, message: 'La data di nascita non corrisponde al codice fiscale.' });
    }
    const sex = this.sex.value();
    if (!sex) p.push({ field: this.sex.input, message: 'Indichi il sesso del richiedente.' });
    else if (cf.ok && sex !== cf.cf.sex) p.push({ field: this.sex.input, message: 'Il sesso non corrisponde al codice fiscale.' });
    const place = this.birthPlace.input.value.trim().toUpperCase();
    if (!/^[A-Z]\d{3}$/.test(place)) {
      p.push({ field: this.birthPlace.input, message: 'Scriva il codice catastale del luogo di nascita: una lettera e tre cifre.' });
    } else if (cf.ok && place !== cf.cf.belfiore) {
      p.push({ field: this.birthPlace.input, message: 'Il luogo di nascita non corrisponde al codice fiscale.' });
    }
    if (this.residence.value() === 'other' && !this.residenceChoice.value) {
      p.push({ field: this.residenceOther.input, message: 'Scriva il nome del comune di residenza e lo scelga nell’elenco.' });
    }
    const email = this.email.input.value.trim();
    if (email && (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254)) {
      p.push({ field: this.email.input, message: 'L’indirizzo e-mail non è valido: controlli la chiocciola (@).' });
    }
    const phone = this.phone.input.value.trim();
    if (phone && !/^[0-9+ /-]{1,20}$/.test(phone)) {
      p.push({ field: this.phone.input, message: 'Il numero di telefono può contenere solo cifre, spazi e il segno +.' });
    }
    if (this.delegateOn.input.checked) {
      need(this.dGiven, 'Scriva il nome del delegato.');
      need(this.dFamily, 'Scriva il cognome del delegato.');
      const dcf = parseCodiceFiscale(this.dCf.input.value, this.today);
      if (!dcf.ok) p.push({ field: this.dCf.input, message: `Delegato: ${codiceFiscaleText(dcf.problem, dcf.position)}` });
      else if (cf.ok && dcf.cf.code === cf.cf.code) p.push({ field: this.dCf.input, message: 'Il delegato non può essere lo stesso richiedente.' });
      const kind = this.delegationKind.value();
      if (!kind) p.push({ field: this.delegationKind.input, message: 'Indichi il tipo di delega.' });
      if (kind === 'paper') {
        need(this.act, 'Scriva il riferimento dell’atto di delega.');
        if (!this.delegatorId.input.checked) {
          p.push({ field: this.delegatorId.input, message: 'Con la delega su carta serve la copia del documento d’identità del delegante.' });
        }
      }
    }
    if (!this.gdpr.input.checked) {
      p.push({ field: this.gdpr.input, message: 'Prima di prenotare il richiedente deve firmare l’informativa privacy.' });
    }
    if (!this.idCopy.input.checked) {
      p.push({ field: this.idCopy.input, message: 'Acquisisca la copia del documento d’identità del richiedente.' });
    }
    return this.showProblems(p, [this.givenName, this.familyName, this.cf, this.birthDate, this.sex, this.birthPlace,
      this.residenceOther, this.email, this.phone, this.dGiven, this.dFamily, this.dCf, this.delegationKind, this.act,
      this.delegatorId, this.gdpr, this.idCopy]);
  }

  /** Looks up the comuni whose name starts with what the operator typed. */
  private async searchResidence(): Promise<void> {
    const q = this.residenceOther.input.value.trim();
    if (q === this.residenceAsked) return;
    this.residenceAsked = q;
    if (!q) {
      this.residenceChoice.replaceChildren();
      this.residenceChoiceWrap.hidden = true;
      this.residenceNote.textContent = '';
      return;
    }
    let found: Comune[];
    try {
      found = await booking.searchComuni(q);
    } catch {
      found = [];
    }
    if (this.residenceAsked !== q) return; // a newer search is under way
    // With several comuni nothing is chosen for the operator.
    this.residenceChoice.replaceChildren(
      ...(found.length > 1 ? [h('option', { value: '' }, 'Scelga il comune')] : []),
      ...found.map((c) => h('option', { value: c.istat }, `${c.name} (${c.province})`)));
    this.residenceChoiceWrap.hidden = found.length === 0;
    this.residenceNote.textContent = found.length === 0
      ? 'Nessun comune trovato con questo nome: controlli come è scritto.'
      : found.length === 1 ? 'Trovato 1 comune.' : `Trovati ${found.length} comuni: scelga quello giusto nell’elenco.`;
  }

  /** The applicant's comune of residence, by name. */
  private residenceName(): string {
    if (this.residence.value() === 'other') {
      return this.residenceChoice.selectedOptions[0]?.textContent ?? '';
    }
    return this.comune?.name ?? this.ctx.principal.comune_name ?? `codice ISTAT ${this.ctx.principal.comune_istat ?? ''}`;
  }

  // ——— step 2: servizio ———

  private serviceStep(): HTMLElement {
    if (!this.serviceFieldset) {
      this.serviceBoxes = this.catalogue.map((s) => {
        const f = checkField(`service-${s.code}`, s.name);
        f.input.value = s.code;
        return f;
      });
      this.serviceFieldset = h('fieldset', { class: 'choice-list field', id: 'services' },
        h('legend', {}, 'Per quali servizi è l’appuntamento?'),
        h('p', { class: 'field-hint', id: 'services-hint' }, 'Può sceglierne più di uno: saranno trattati nello stesso appuntamento.'),
        ...this.serviceBoxes.map((f) => f.wrap));
      this.serviceFieldset.setAttribute('aria-describedby', 'services-hint');
    }
    return h('form', { class: 'sp-form', novalidate: true }, this.serviceFieldset, this.notes.wrap);
  }

  private selectedServices(): Service[] {
    return this.catalogue.filter((s) => this.serviceBoxes.some((f) => f.input.value === s.code && f.input.checked));
  }

  private checkServices(): boolean {
    const first = this.serviceBoxes[0];
    if (this.selectedServices().length > 0 || !first) {
      this.stepBox.querySelector('.error-summary')?.remove();
      return true;
    }
    this.showProblems([{ field: first.input, message: 'Scelga almeno un servizio.' }], []);
    return false;
  }

  // ——— step 3: sede e sportello ———

  private placeGroup: RadioGroup | null = null;
  private placeChoices: Choice[] = [];

  private async placeStep(body: HTMLElement): Promise<void> {
    this.placeGroup = null;
    body.append(h('p', { class: 'loading' }, 'Ricerca delle sedi disponibili…'));
    this.setBusy(true);
    const services = this.selectedServices();
    let choices: Choice[] = [];
    try {
      const istat = this.ctx.principal.comune_istat ?? '';
      const all = await Promise.all(services.map((s) => booking.proposals(istat, s.code)));
      // Only the sportelli that handle every chosen service.
      const first = all[0];
      if (first) {
        for (const option of first.options) {
          for (const sp of option.sportelli) {
            const everywhere = all.every((p) => p.options.some((o) => o.sportelli.some((x) => x.id === sp.id)));
            if (everywhere) {
              choices.push({
                sportelloId: sp.id, sportelloName: sp.name, sedeName: option.sede_name,
                kind: option.kind, reason: option.reason, slotMinutes: sp.slot_minutes,
              });
            }
          }
        }
      }
    } catch (err) {
      this.setBusy(false);
      body.replaceChildren(h('div', { class: 'alert alert-danger', role: 'alert' }, bookingErrorText(errCode(err))));
      this.next.disabled = true;
      return;
    }
    this.setBusy(false);
    choices = choices.sort((a, b) => (a.reason === b.reason ? 0 : a.reason === 'territorial' ? -1 : 1));
    this.placeChoices = choices;
    if (choices.length === 0) {
      body.replaceChildren(h('div', { class: 'alert alert-warning', role: 'alert' },
        services.length > 1
          ? 'Nessuno sportello tratta insieme tutti i servizi scelti. Torni indietro e ne scelga di meno.'
          : 'Per questo servizio non ci sono sportelli prenotabili dal suo Comune.'));
      this.next.disabled = true;
      return;
    }
    const keep = choices.some((c) => c.sportelloId === this.choice?.sportelloId) ? this.choice?.sportelloId ?? null : null;
    this.placeGroup = radioGroup('sportello', 'Dove si svolgerà l’appuntamento in videochiamata?', choices.map((c) => ({
      value: c.sportelloId,
      label: h('span', {}, h('strong', {}, c.sedeName), h('br', {}), c.sportelloName),
      hint: `${c.reason === 'territorial' ? 'Sede competente per il territorio del Comune' : 'Polo nazionale competente per il servizio'}. Appuntamenti di ${c.slotMinutes} minuti.`,
    })), keep ?? choices[0]?.sportelloId ?? null);
    body.replaceChildren(h('form', { class: 'sp-form', novalidate: true }, this.placeGroup.wrap));
  }

  private checkPlace(): boolean {
    const id = this.placeGroup?.value();
    const c = this.placeChoices.find((x) => x.sportelloId === id);
    if (!c || !this.placeGroup) {
      if (this.placeGroup) this.showProblems([{ field: this.placeGroup.input, message: 'Scelga una sede e uno sportello.' }], [this.placeGroup]);
      return false;
    }
    if (c.sportelloId !== this.choice?.sportelloId) {
      this.day = null;
      this.slot = null;
      this.slotCache = null;
    }
    this.choice = c;
    return true;
  }

  // ——— step 4: data e ora ———

  private slotGroup: RadioGroup | null = null;

  private async loadSlots(from: string): Promise<Slot[]> {
    const choice = this.choice;
    if (!choice) return [];
    const c = this.slotCache;
    if (c && c.sportello === choice.sportelloId && from >= c.from && from <= c.to) return c.slots;
    const to = addDays(from, SLOT_WINDOW_DAYS);
    const answer = await booking.freeSlots(choice.sportelloId, from, to);
    this.slotCache = { from, to, sportello: choice.sportelloId, slots: answer.slots };
    return answer.slots;
  }

  private async dateStep(body: HTMLElement, fresh = false): Promise<void> {
    this.slotGroup = null;
    if (fresh) this.slotCache = null;
    const maxDay = addDays(this.today, MAX_AHEAD_DAYS);
    const dateField = textField('appointment-day', 'Giorno dell’appuntamento', {
      type: 'date', required: true, min: this.today, max: maxDay,
      hint: `Si può scegliere un giorno da oggi fino a ${formatDay(maxDay)}.`,
    });
    const slotsBox = h('div', { class: 'slots-box', 'aria-live': 'polite' });
    body.replaceChildren(h('form', { class: 'sp-form', novalidate: true },
      h('p', { class: 'place-reminder' }, `${this.choice?.sedeName ?? ''} – ${this.choice?.sportelloName ?? ''}`),
      dateField.wrap, slotsBox));
    const showDay = async (day: string): Promise<void> => {
      this.slotGroup = null;
      slotsBox.replaceChildren(h('p', { class: 'loading' }, 'Ricerca degli orari liberi…'));
      let slots: Slot[];
      try {
        slots = await this.loadSlots(day);
      } catch (err) {
        slotsBox.replaceChildren(h('div', { class: 'alert alert-danger', role: 'alert' }, bookingErrorText(errCode(err))));
        return;
      }
      const ofDay = slots.filter((s) => dayOf(s.starts_at) === day);
      if (ofDay.length === 0) {
        const later = slots.find((s) => dayOf(s.starts_at) > day);
        const children: (Node | string)[] = [h('p', {}, `${formatDay(day)}: nessun orario libero.`)];
        if (later) {
          const laterDay = dayOf(later.starts_at);
          const go = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, `Mostra ${formatDay(laterDay)}`);
          go.addEventListener('click', () => {
            dateField.input.value = laterDay;
            void showDay(laterDay);
          });
          children.push(h('p', {}, `Il primo giorno con orari liberi dopo questa data è ${formatDay(laterDay)}.`), go);
        } else {
          children.push(h('p', {}, 'Non ci sono orari liberi nel mese seguente. Scelga un’altra data.'));
        }
        slotsBox.replaceChildren(h('div', { class: 'alert alert-info no-slots' }, ...children));
        return;
      }
      const keep = this.slot && ofDay.some((s) => s.starts_at === this.slot?.starts_at) ? this.slot.starts_at : null;
      this.slotGroup = radioGroup('slot', `Orari liberi di ${formatDay(day)}`, ofDay.map((s) => ({
        value: s.starts_at, label: `dalle ${formatTime(s.starts_at)} alle ${formatTime(s.ends_at)}`,
      })), keep);
      this.slotGroup.wrap.classList.add('slot-list');
      slotsBox.replaceChildren(this.slotGroup.wrap);
      this.day = day;
    };
    dateField.input.addEventListener('change', () => {
      const d = dateField.input.value;
      if (!isDay(d) || d < this.today || d > maxDay) {
        dateField.setError(`Scelga un giorno tra oggi e ${formatDay(maxDay)}.`);
        slotsBox.replaceChildren();
        return;
      }
      dateField.setError(null);
      void showDay(d);
    });
    // Start on the chosen day, or on the first day with free slots.
    let start = this.day && this.day >= this.today ? this.day : null;
    if (!start) {
      try {
        const first = (await this.loadSlots(this.today))[0];
        start = first ? dayOf(first.starts_at) : this.today;
      } catch {
        start = this.today;
      }
    }
    dateField.input.value = start;
    await showDay(start);
  }

  private checkSlot(): boolean {
    const at = this.slotGroup?.value();
    const slot = this.slotCache?.slots.find((s) => s.starts_at === at);
    if (!slot || !this.slotGroup) {
      const field = this.slotGroup?.input ?? this.stepBox.querySelector<HTMLElement>('#appointment-day');
      if (field) this.showProblems([{ field, message: 'Scelga un orario tra quelli liberi.' }], this.slotGroup ? [this.slotGroup] : []);
      return false;
    }
    this.slot = slot;
    return true;
  }

  // ——— step 5: riepilogo, with the hold ———

  private async summaryStep(body: HTMLElement): Promise<void> {
    const slot = this.slot;
    const choice = this.choice;
    if (!slot || !choice) return;
    this.next.disabled = true;
    body.append(h('p', { class: 'loading' }, 'Riservo l’orario scelto…'));
    this.setBusy(true);
    try {
      this.hold = await booking.placeHold({
        sportello_id: choice.sportelloId, starts_at: slot.starts_at, service_code: this.selectedServices()[0]?.code ?? '',
      });
      this.holdKey = randomKey();
    } catch (err) {
      this.setBusy(false);
      this.hold = null;
      const code = errCode(err);
      this.slot = null;
      this.slotCache = null;
      this.show(4, bookingErrorText(code));
      return;
    }
    this.setBusy(false);
    const timerText = h('span', { class: 'countdown-value' });
    const countdown = h('div', { class: 'countdown', id: 'countdown' },
      h('p', { class: 'mb-1' }, 'L’orario è riservato per lei. Tempo rimasto per premere “Prenota”:'),
      h('p', { class: 'countdown-clock', role: 'timer', 'aria-live': 'off', 'aria-atomic': 'true' }, timerText, ' minuti'));
    const announce = h('p', { class: 'visually-hidden', 'aria-live': 'assertive' });
    body.replaceChildren(countdown, announce, this.summary());
    this.startTimer(timerText, countdown, announce);
  }

  private summary(): HTMLElement {
    const services = this.selectedServices();
    const residence = this.residenceName();
    const delegate = this.delegateOn.input.checked;
    const slot = this.slot;
    return h('div', { class: 'summary' },
      h('section', { 'aria-labelledby': 'sum-when' },
        h('h3', { id: 'sum-when' }, 'Appuntamento'),
        h('dl', { class: 'summary-list' },
          ...def('Giorno', slot ? formatDay(dayOf(slot.starts_at)) : null),
          ...def('Ora', slot ? formatRange(slot.starts_at, slot.ends_at) : null),
          ...def('Sede', this.choice?.sedeName ?? null),
          ...def('Sportello', this.choice?.sportelloName ?? null),
          ...def('Servizi', services.map((s) => s.name).join(', ')))),
      h('section', { 'aria-labelledby': 'sum-who' },
        h('h3', { id: 'sum-who' }, 'Richiedente'),
        h('dl', { class: 'summary-list' },
          ...def('Nome e cognome', `${this.givenName.input.value.trim()} ${this.familyName.input.value.trim()}`),
          ...def('Codice fiscale', this.cf.input.value.trim().toUpperCase()),
          ...def('Data di nascita', this.birthDate.input.value.trim() || null),
          ...def('Luogo di nascita (codice)', this.birthPlaceText()),
          ...def('Residenza', residence),
          ...def('E-mail', this.email.input.value.trim() || null),
          ...def('Telefono', this.phone.input.value.trim() || null),
          ...def('Informativa privacy firmata', this.gdpr.input.checked ? 'Sì' : 'No'),
          ...def('Copia del documento acquisita', this.idCopy.input.checked ? 'Sì' : 'No'))),
      delegate ? h('section', { 'aria-labelledby': 'sum-delegate' },
        h('h3', { id: 'sum-delegate' }, 'Delegato'),
        h('dl', { class: 'summary-list' },
          ...def('Nome e cognome', `${this.dGiven.input.value.trim()} ${this.dFamily.input.value.trim()}`),
          ...def('Codice fiscale', this.dCf.input.value.trim().toUpperCase()),
          ...def('Delega', this.delegationKind.value() === 'digital'
            ? 'Delega dell’identità digitale già registrata'
            : `Atto su carta: ${this.act.input.value.trim()}`))) : null,
      this.notes.input.value.trim() ? h('section', { 'aria-labelledby': 'sum-notes' },
        h('h3', { id: 'sum-notes' }, 'Note'),
        h('p', { class: 'summary-notes' }, this.notes.input.value.trim())) : null);
  }

  private startTimer(value: HTMLElement, box: HTMLElement, announce: HTMLElement): void {
    this.stopTimer();
    let warned = false;
    const tick = (): void => {
      const hold = this.hold;
      if (!hold) return;
      const left = (hold.expiresAtLocal - Date.now()) / 1000;
      value.textContent = formatCountdown(left);
      box.classList.toggle('is-urgent', left <= 60);
      if (left <= 60 && !warned) {
        warned = true;
        announce.textContent = 'Manca un minuto: prema “Prenota” per confermare.';
      }
      if (left <= 0) this.expired();
    };
    tick();
    this.timer = window.setInterval(tick, 250);
  }

  private stopTimer(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }

  /** The hold lapsed: say so and offer to choose the time again. */
  private expired(): void {
    this.stopTimer();
    const hold = this.hold;
    this.hold = null;
    if (hold) void booking.releaseHold(hold.hold.id).catch(() => undefined);
    this.next.disabled = true;
    this.showSlotLost(bookingErrorText('hold_expired'));
  }

  private showSlotLost(message: string): void {
    this.slot = null;
    const again = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Scegli di nuovo data e ora');
    again.addEventListener('click', () => {
      this.slotCache = null;
      this.show(4);
    });
    const box = h('div', { class: 'alert alert-danger slot-lost', role: 'alert' }, h('p', {}, message), again);
    this.stepBox.querySelector('#countdown')?.replaceWith(box);
    this.next.disabled = true;
    again.focus();
  }

  private async dropHold(): Promise<void> {
    this.stopTimer();
    const hold = this.hold;
    this.hold = null;
    if (hold) await booking.releaseHold(hold.hold.id).catch(() => undefined);
  }

  private citizenRequest(): CitizenRequest {
    const v = (f: Field): string => f.input.value.trim();
    const delegate = this.delegateOn.input.checked;
    const paper = this.delegationKind.value() === 'paper';
    return {
      applicant: {
        given_name: v(this.givenName),
        family_name: v(this.familyName),
        codice_fiscale: v(this.cf).toUpperCase(),
        birth_date: parseItalianDate(v(this.birthDate)) ?? '',
        birth_place: v(this.birthPlace).toUpperCase(),
        sex: (this.sex.value() ?? 'M') as Sex,
        residence_istat: this.residence.value() === 'other' ? this.residenceChoice.value : this.ctx.principal.comune_istat ?? '',
        email: v(this.email) || null,
        phone: v(this.phone) || null,
      },
      services: this.selectedServices().map((s) => s.code),
      delegate: delegate ? {
        given_name: v(this.dGiven),
        family_name: v(this.dFamily),
        codice_fiscale: v(this.dCf).toUpperCase(),
        delegation_act: paper ? v(this.act) : null,
        delegator_id_copy: paper && this.delegatorId.input.checked,
        digital_delegation: !paper,
      } : null,
      gdpr_notice_signed: this.gdpr.input.checked,
      id_copy_acquired: this.idCopy.input.checked,
      notes: this.notes.input.value.trim() || null,
    };
  }

  private async book(): Promise<void> {
    const hold = this.hold;
    if (!hold) return;
    const req = this.citizenRequest();
    this.setBusy(true);
    this.next.textContent = 'Prenotazione in corso…';
    try {
      this.appointment = await booking.confirmHold(hold.hold.id, this.holdKey, req);
    } catch (err) {
      this.setBusy(false);
      this.next.textContent = 'Prenota';
      const code = errCode(err);
      if (SLOT_ERRORS.has(code)) {
        this.stopTimer();
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
    this.setBusy(false);
    this.stopTimer();
    this.request = req;
    this.hold = null;
    markJustBooked(this.appointment.id);
    this.show(6);
  }

  // ——— step 6: conferma ———

  private confirmationStep(body: HTMLElement): void {
    const a = this.appointment;
    const req = this.request;
    if (!a || !req) return;
    this.printArea.replaceChildren(requestForm(a, req, {
      services: this.selectedServices(),
      comune: this.comune,
      operatorName: this.ctx.principal.comune_name,
      residenceName: this.residenceName(),
      notice: this.notice,
    }));
    const print = h('button', { type: 'button', class: 'btn btn-primary btn-lg' }, 'Stampa modulo di richiesta');
    print.addEventListener('click', () => { window.print(); });
    const ics = h('a', { class: 'btn btn-outline-primary btn-lg', href: booking.icsUrl(a.id), download: `appuntamento-${a.id}.ics` },
      'Scarica nel calendario (.ics)');
    const home = h('a', { class: 'btn btn-outline-primary btn-lg', href: '/operatore' }, 'Torna all’area operatore');
    home.addEventListener('click', (ev) => {
      ev.preventDefault();
      navigate('/operatore');
    });
    body.append(
      h('div', { class: 'alert alert-success confirmed', role: 'status' },
        h('p', { class: 'confirmed-when' }, `${formatDay(dayOf(a.starts_at))}, ore ${formatRange(a.starts_at, a.ends_at)}`),
        h('p', { class: 'mb-0' }, `La videochiamata di ${a.given_name} ${a.family_name} con l’INPS è prenotata.`)),
      h('dl', { class: 'summary-list' },
        ...def('Sede', a.sede_name),
        ...def('Sportello', a.sportello_name),
        ...def('Servizi', this.selectedServices().map((s) => s.name).join(', '))),
      h('p', {}, 'Stampi il modulo di richiesta con l’informativa privacy e lo faccia firmare al richiedente.'),
      h('div', { class: 'confirm-actions' }, print, ics, home));
  }
}

export async function renderWizard(ctx: PageContext): Promise<void> {
  await new Wizard(ctx).start();
}
