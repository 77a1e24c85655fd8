// Step 1 of the booking wizard, "Richiedente": the applicant and the delegate. The signed form and
// the ID copies are confirmed in step 5, after the form is printed (confirmations.ts). Built
// once: the fields keep their values when going back.

import { birthplaceName } from '../birthplaces';
import { parseCodiceFiscale } from '../codiceFiscale';
import { italianDate, parseItalianDate } from '../dates';
import type { Applicant, CitizenRequest, Comune, Sex } from '../types';
import * as booking from '../api';
import { codiceFiscaleText } from '../../messages';
import { h } from '../../widgets/dom';
import { checkField, clearSummaryItem, type Field, radioGroup, type RadioGroup, textField } from '../../widgets/form';
import type { Confirmations, DelegateKind } from './confirmations';
import type { Problem, StepHost } from './stepHost';

export class ApplicantStep {
  readonly givenName = textField('given-name', 'Nome', { required: true, maxlength: 100, autocomplete: 'off' });
  readonly familyName = textField('family-name', 'Cognome', { required: true, maxlength: 100 });
  readonly cf = textField('codice-fiscale', 'Codice fiscale', {
    required: true, maxlength: 16, className: 'cf-input',
    hint: '16 caratteri, come sulla tessera sanitaria. Data, sesso e luogo di nascita si compilano da soli.',
  });
  readonly birthDate = textField('birth-date', 'Data di nascita', {
    required: true, maxlength: 10, inputmode: 'numeric', hint: 'Giorno/mese/anno, per esempio 05/05/1952.',
  });
  private readonly sex = radioGroup('sex', 'Sesso', [{ value: 'F', label: 'Femminile' }, { value: 'M', label: 'Maschile' }], null);
  private readonly birthPlace = textField('birth-place', 'Luogo di nascita (codice catastale)', {
    required: true, maxlength: 4, noteId: 'birth-place-name',
    hint: 'Il codice di 4 caratteri del comune o dello Stato estero di nascita, come nel codice fiscale (per esempio H501 per Roma).',
  });
  /** What the typed code stands for ("Roma (RM)"), or that it is not in the list: a note, not an error. */
  private readonly birthPlaceName = h('p', { class: 'field-note', id: 'birth-place-name', 'aria-live': 'polite' });
  private readonly residence: RadioGroup;
  private readonly residenceOther = textField('residence-name', 'Nome del comune di residenza', {
    required: true, maxlength: 60, autocomplete: 'off', hint: 'Scriva le prime lettere del nome, poi scelga il comune nell’elenco qui sotto.',
  });
  private readonly residenceChoice = h('select', { class: 'form-select', id: 'residence-istat' });
  private readonly residenceNote = h('p', { class: 'field-note', 'aria-live': 'polite' });
  private readonly residenceChoiceWrap = h('div', { class: 'field', hidden: true },
    h('label', { for: 'residence-istat' }, 'Comune trovato'), this.residenceChoice);
  private residenceTimer: number | undefined;
  private residenceAsked = '';
  readonly email = textField('email', 'E-mail', { type: 'email', required: false, maxlength: 254 });
  readonly phone = textField('phone', 'Telefono', { type: 'tel', required: false, maxlength: 20, inputmode: 'tel' });
  readonly delegateOn = checkField('delegate-on', 'Il richiedente è rappresentato da un delegato');
  readonly dGiven = textField('delegate-given-name', 'Nome del delegato', { required: true, maxlength: 100 });
  readonly dFamily = textField('delegate-family-name', 'Cognome del delegato', { required: true, maxlength: 100 });
  readonly dCf = textField('delegate-codice-fiscale', 'Codice fiscale del delegato', { required: true, maxlength: 16, className: 'cf-input' });
  readonly delegationKind = radioGroup('delegation-kind', 'Tipo di delega', [
    { value: 'paper', label: 'Atto di delega su carta' },
    { value: 'digital', label: 'Delega dell’identità digitale già registrata presso l’INPS' },
  ], null);
  readonly act = textField('delegation-act', 'Riferimento dell’atto di delega', {
    required: true, maxlength: 200, hint: 'Per esempio la data e il numero di protocollo dell’atto.',
  });
  private readonly paperBox = h('div', { class: 'sub-box', hidden: true }, this.act.wrap);
  private readonly delegateBox = h('div', { class: 'sub-box', hidden: true },
    this.dGiven.wrap, this.dFamily.wrap, this.dCf.wrap, this.delegationKind.wrap, this.paperBox);
  private form: HTMLElement | null = null;

  /** `comune` is the operator's own comune (null when it could not be found). */
  constructor(private readonly host: StepHost, private readonly comune: Comune | null) {
    const principal = host.ctx.principal;
    const istat = principal.comune_istat ?? '';
    this.residence = radioGroup('residence', 'Comune di residenza', [
      { value: istat, label: comune?.name ?? principal.comune_name ?? `codice ISTAT ${istat}` },
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
      void this.showBirthPlaceName();
    });
    this.delegateOn.input.addEventListener('change', () => { this.delegateBox.hidden = !this.delegateOn.input.checked; });
    for (const input of this.delegationKind.inputs) {
      input.addEventListener('change', () => { this.paperBox.hidden = this.delegationKind.value() !== 'paper'; });
    }
  }

  render(): HTMLElement {
    this.form ??= h('form', { class: 'sp-form', novalidate: true },
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
      h('p', { class: 'field-hint' },
        'Il modulo di richiesta con l’informativa privacy si stampa nel passo «Verifica dei dati», prima di prenotare: '
        + 'lì conferma la firma e le copie dei documenti.'));
    this.form.addEventListener('submit', (ev) => { ev.preventDefault(); });
    return this.form;
  }

  /** Fills birth date, sex and birthplace from a valid codice fiscale (only empty fields). */
  private fillFromCf(): void {
    const r = parseCodiceFiscale(this.cf.input.value, this.host.today);
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
    void this.showBirthPlaceName();
  }

  /** Under the field, the name of the comune or foreign country once the 4 characters are typed. */
  private async showBirthPlaceName(): Promise<void> {
    const code = this.birthPlaceCode();
    if (!/^[A-Z]\d{3}$/.test(code)) {
      this.setBirthPlaceNote('', false);
      return;
    }
    let name: string | null | undefined;
    try {
      name = await birthplaceName(code);
    } catch {
      name = undefined; // the list could not be loaded: no note rather than a wrong one
    }
    if (this.birthPlaceCode() !== code) return; // the operator typed on meanwhile
    if (name === undefined) this.setBirthPlaceNote('', false);
    else this.setBirthPlaceNote(name ?? 'Codice non trovato nell’elenco dei comuni e degli Stati esteri.', name === null);
  }

  private setBirthPlaceNote(text: string, unknown: boolean): void {
    if (this.birthPlaceName.textContent !== text) this.birthPlaceName.textContent = text;
    this.birthPlaceName.classList.toggle('field-note-unknown', unknown);
  }

  /** The birthplace's cadastral code as typed ("H501"). */
  birthPlaceCode(): string {
    return this.birthPlace.input.value.trim().toUpperCase();
  }

  check(): boolean {
    const p: Problem[] = [];
    const need = (f: Field, message: string): boolean => {
      if (f.input.value.trim()) return true;
      p.push({ field: f.input, message });
      return false;
    };
    need(this.givenName, 'Scriva il nome del richiedente.');
    need(this.familyName, 'Scriva il cognome del richiedente.');
    const cf = parseCodiceFiscale(this.cf.input.value, this.host.today);
    if (!cf.ok) {
      p.push({ field: this.cf.input, message: codiceFiscaleText(cf.problem, cf.position) });
    }
    const birth = parseItalianDate(this.birthDate.input.value);
    if (!birth) {
      p.push({ field: this.birthDate.input, message: 'Scriva la data di nascita come giorno/mese/anno, per esempio 05/05/1952.' });
    } else if (birth > this.host.today || birth < '1900-01-01') {
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
      const dcf = parseCodiceFiscale(this.dCf.input.value, this.host.today);
      if (!dcf.ok) p.push({ field: this.dCf.input, message: `Delegato: ${codiceFiscaleText(dcf.problem, dcf.position)}` });
      else if (cf.ok && dcf.cf.code === cf.cf.code) p.push({ field: this.dCf.input, message: 'Il delegato non può essere lo stesso richiedente.' });
      const kind = this.delegationKind.value();
      if (!kind) p.push({ field: this.delegationKind.input, message: 'Indichi il tipo di delega.' });
      if (kind === 'paper') need(this.act, 'Scriva il riferimento dell’atto di delega.');
    }
    return this.host.showProblems(p, [this.givenName, this.familyName, this.cf, this.birthDate, this.sex, this.birthPlace,
      this.residenceOther, this.email, this.phone, this.dGiven, this.dFamily, this.dCf, this.delegationKind, this.act]);
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

  /**
   * Fills the fields with an earlier request's applicant ("Prenota di nuovo" of a follow-up). The
   * documents (signed notice, ID copy) are left for the operator to confirm for the new request.
   */
  prefill(a: Applicant): void {
    this.givenName.input.value = a.given_name;
    this.familyName.input.value = a.family_name;
    this.cf.input.value = a.codice_fiscale;
    this.birthDate.input.value = italianDate(a.birth_date);
    this.sex.set(a.sex);
    this.birthPlace.input.value = a.birth_place;
    void this.showBirthPlaceName();
    const own = this.host.ctx.principal.comune_istat ?? '';
    if (a.residence_istat === own) {
      this.residence.set(own);
    } else {
      this.residence.set('other');
      this.residenceOther.wrap.hidden = false;
      this.residenceChoice.replaceChildren(h('option', { value: a.residence_istat }, `Come nella richiesta precedente (codice ISTAT ${a.residence_istat})`));
      this.residenceChoiceWrap.hidden = false;
    }
    this.email.input.value = a.email ?? '';
    this.phone.input.value = a.phone ?? '';
  }

  /** The applicant's comune of residence, by name. */
  residenceName(): string {
    if (this.residence.value() === 'other') {
      return this.residenceChoice.selectedOptions[0]?.textContent ?? '';
    }
    return this.comune?.name ?? this.host.ctx.principal.comune_name ?? `codice ISTAT ${this.host.ctx.principal.comune_istat ?? ''}`;
  }

  /** Whether a delegate acts for the applicant, and with a paper act. */
  delegateKind(): DelegateKind {
    return { delegate: this.delegateOn.input.checked, paper: this.delegationKind.value() === 'paper' };
  }

  /**
   * The request to confirm the hold with: this step's data, the chosen services, the notes and
   * the operator's confirmations of step 5.
   */
  citizenRequest(services: string[], notes: string | null, conf: Confirmations): CitizenRequest {
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
        residence_istat: this.residence.value() === 'other' ? this.residenceChoice.value : this.host.ctx.principal.comune_istat ?? '',
        email: v(this.email) || null,
        phone: v(this.phone) || null,
      },
      services,
      delegate: delegate ? {
        given_name: v(this.dGiven),
        family_name: v(this.dFamily),
        codice_fiscale: v(this.dCf).toUpperCase(),
        delegation_act: paper ? v(this.act) : null,
        delegator_id_copy: paper && conf.delegatorId.input.checked,
        digital_delegation: !paper,
        delegate_id_copy: conf.delegateId.input.checked,
      } : null,
      gdpr_notice_signed: conf.signed.input.checked,
      data_processing_authorised: conf.signed.input.checked,
      id_copy_acquired: conf.idCopy.input.checked,
      notes,
    };
  }
}
