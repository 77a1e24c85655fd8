// Step 3 of the booking wizard, "Sede e sportello": the sportelli the comune may book that handle
// every chosen service (the territorially competent Sede first, then the Polo nazionale).

import * as booking from '../api';
import type { Service } from '../types';
import { bookingErrorText } from '../../messages';
import { h } from '../../widgets/dom';
import { radioGroup, type RadioGroup } from '../../widgets/form';
import { errCode, type StepHost } from './stepHost';

/** A sportello offered to the operator, with its Sede and why it may be booked. */
export interface Choice {
  sportelloId: string;
  sportelloName: string;
  sedeName: string;
  kind: string;
  reason: string;
  slotMinutes: number;
}

export class PlaceStep {
  private group: RadioGroup | null = null;
  private choices: Choice[] = [];
  /** The sportello chosen, once the step has been passed. */
  choice: Choice | null = null;

  /** `onNewSportello` runs when the operator picks another sportello than before. */
  constructor(private readonly host: StepHost, private readonly onNewSportello: () => void) {}

  async render(body: HTMLElement, services: Service[]): Promise<void> {
    this.group = null;
    body.append(h('p', { class: 'loading' }, 'Ricerca delle sedi disponibili…'));
    this.host.setBusy(true);
    let choices: Choice[] = [];
    try {
      const istat = this.host.ctx.principal.comune_istat ?? '';
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
      this.host.setBusy(false);
      body.replaceChildren(h('div', { class: 'alert alert-danger', role: 'alert' }, bookingErrorText(errCode(err))));
      this.host.next.disabled = true;
      return;
    }
    this.host.setBusy(false);
    choices = choices.sort((a, b) => (a.reason === b.reason ? 0 : a.reason === 'territorial' ? -1 : 1));
    this.choices = choices;
    if (choices.length === 0) {
      body.replaceChildren(h('div', { class: 'alert alert-warning', role: 'alert' },
        services.length > 1
          ? 'Nessuno sportello tratta insieme tutti i servizi scelti. Torni indietro e ne scelga di meno.'
          : 'Per questo servizio non ci sono sportelli prenotabili dal suo Comune.'));
      this.host.next.disabled = true;
      return;
    }
    const keep = choices.some((c) => c.sportelloId === this.choice?.sportelloId) ? this.choice?.sportelloId ?? null : null;
    this.group = radioGroup('sportello', 'Dove si svolgerà l’appuntamento in videochiamata?', choices.map((c) => ({
      value: c.sportelloId,
      label: h('span', {}, h('strong', {}, c.sedeName), h('br', {}), c.sportelloName),
      hint: `${c.reason === 'territorial' ? 'Sede competente per il territorio del Comune' : 'Polo nazionale competente per il servizio'}. Appuntamenti di ${c.slotMinutes} minuti.`,
    })), keep ?? choices[0]?.sportelloId ?? null);
    body.replaceChildren(h('form', { class: 'sp-form', novalidate: true }, this.group.wrap));
  }

  check(): boolean {
    const id = this.group?.value();
    const c = this.choices.find((x) => x.sportelloId === id);
    if (!c || !this.group) {
      if (this.group) this.host.showProblems([{ field: this.group.input, message: 'Scelga una sede e uno sportello.' }], [this.group]);
      return false;
    }
    if (c.sportelloId !== this.choice?.sportelloId) this.onNewSportello();
    this.choice = c;
    return true;
  }
}
