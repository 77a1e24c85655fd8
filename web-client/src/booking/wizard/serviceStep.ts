// Step 2 of the booking wizard, "Servizio": the services of the appointment and the notes for
// the INPS official. Built once: the choices keep their values when going back.

import type { Service } from '../types';
import { h } from '../../widgets/dom';
import { checkField, type Field, textArea } from '../../widgets/form';
import type { StepHost } from './stepHost';

export class ServiceStep {
  private boxes: Field[] = [];
  private fieldset: HTMLFieldSetElement | null = null;
  private form: HTMLElement | null = null;
  readonly notes = textArea('notes', 'Note per il funzionario INPS', 'Per esempio il motivo della richiesta. Non scriva dati sanitari.', 1000);

  constructor(private readonly host: StepHost, private readonly catalogue: Service[]) {}

  /** Services to tick when the step is first shown ("Prenota di nuovo"). */
  private preset: string[] = [];

  /** Ticks `codes` (those of an earlier request) when the step is built. */
  prefill(codes: string[]): void {
    this.preset = codes;
  }

  render(): HTMLElement {
    if (!this.fieldset) {
      this.boxes = this.catalogue.map((s) => {
        const f = checkField(`service-${s.code}`, s.name);
        f.input.value = s.code;
        f.input.checked = this.preset.includes(s.code);
        return f;
      });
      this.fieldset = h('fieldset', { class: 'choice-list field', id: 'services' },
        h('legend', {}, 'Per quali servizi è l’appuntamento?'),
        h('p', { class: 'field-hint', id: 'services-hint' }, 'Può sceglierne più di uno: saranno trattati nello stesso appuntamento.'),
        ...this.boxes.map((f) => f.wrap));
      this.fieldset.setAttribute('aria-describedby', 'services-hint');
    }
    if (!this.form) {
      this.form = h('form', { class: 'sp-form', novalidate: true }, this.fieldset, this.notes.wrap);
      this.form.addEventListener('submit', (ev) => { ev.preventDefault(); });
    }
    return this.form;
  }

  /** The chosen services, in the order of the catalogue. */
  selected(): Service[] {
    return this.catalogue.filter((s) => this.boxes.some((f) => f.input.value === s.code && f.input.checked));
  }

  /** The notes, or null when there are none. */
  notesText(): string | null {
    return this.notes.input.value.trim() || null;
  }

  check(): boolean {
    const first = this.boxes[0];
    if (this.selected().length > 0 || !first) {
      this.host.stepBox.querySelector('.error-summary')?.remove();
      return true;
    }
    this.host.showProblems([{ field: first.input, message: 'Scelga almeno un servizio.' }], []);
    return false;
  }
}
