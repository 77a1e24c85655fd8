// Step 4 of the booking wizard, "Data e ora": a day (from today up to a year ahead) and one of
// the free slots of the chosen sportello on that day. Free slots are asked a month at a time.

import * as booking from '../api';
import { addDays, dayOf, formatDay, formatTime, isDay } from '../dates';
import type { Slot } from '../types';
import { bookingErrorText } from '../../messages';
import { h } from '../../widgets/dom';
import { radioGroup, type RadioGroup, textField } from '../../widgets/form';
import type { PlaceStep } from './placeStep';
import { errCode, type StepHost } from './stepHost';

/** How far ahead the server lets a slot be booked (MAX_AHEAD_DAYS in src/booking/mod.rs). */
const MAX_AHEAD_DAYS = 366;
/** The longest slot query (MAX_RANGE_DAYS): 31 days, both ends included. */
const SLOT_WINDOW_DAYS = 30;

export class DateStep {
  /** The day shown, and the slot chosen once the step has been passed. */
  day: string | null = null;
  slot: Slot | null = null;
  /** The free slots last asked for, to move between days without asking again. */
  slotCache: { from: string; to: string; sportello: string; slots: Slot[] } | null = null;
  private slotGroup: RadioGroup | null = null;

  constructor(private readonly host: StepHost, private readonly place: PlaceStep) {}

  /** Forgets the day, the slot and the free slots (another sportello was chosen). */
  reset(): void {
    this.day = null;
    this.slot = null;
    this.slotCache = null;
  }

  private async loadSlots(from: string): Promise<Slot[]> {
    const choice = this.place.choice;
    if (!choice) return [];
    const c = this.slotCache;
    if (c && c.sportello === choice.sportelloId && from >= c.from && from <= c.to) return c.slots;
    const to = addDays(from, SLOT_WINDOW_DAYS);
    const answer = await booking.freeSlots(choice.sportelloId, from, to);
    this.slotCache = { from, to, sportello: choice.sportelloId, slots: answer.slots };
    return answer.slots;
  }

  async render(body: HTMLElement, fresh = false): Promise<void> {
    this.slotGroup = null;
    if (fresh) this.slotCache = null;
    const maxDay = addDays(this.host.today, MAX_AHEAD_DAYS);
    const dateField = textField('appointment-day', 'Giorno dell’appuntamento', {
      type: 'date', required: true, min: this.host.today, max: maxDay,
      hint: `Si può scegliere un giorno da oggi fino a ${formatDay(maxDay)}.`,
    });
    const slotsBox = h('div', { class: 'slots-box', 'aria-live': 'polite' });
    body.replaceChildren(h('form', { class: 'sp-form', novalidate: true },
      h('p', { class: 'place-reminder' }, `${this.place.choice?.sedeName ?? ''} – ${this.place.choice?.sportelloName ?? ''}`),
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
      if (!isDay(d) || d < this.host.today || d > maxDay) {
        dateField.setError(`Scelga un giorno tra oggi e ${formatDay(maxDay)}.`);
        slotsBox.replaceChildren();
        return;
      }
      dateField.setError(null);
      void showDay(d);
    });
    // Start on the chosen day, or on the first day with free slots.
    let start = this.day && this.day >= this.host.today ? this.day : null;
    if (!start) {
      try {
        const first = (await this.loadSlots(this.host.today))[0];
        start = first ? dayOf(first.starts_at) : this.host.today;
      } catch {
        start = this.host.today;
      }
    }
    dateField.input.value = start;
    await showDay(start);
  }

  check(): boolean {
    const at = this.slotGroup?.value();
    const slot = this.slotCache?.slots.find((s) => s.starts_at === at);
    if (!slot || !this.slotGroup) {
      const field = this.slotGroup?.input ?? this.host.stepBox.querySelector<HTMLElement>('#appointment-day');
      if (field) this.host.showProblems([{ field, message: 'Scelga un orario tra quelli liberi.' }], this.slotGroup ? [this.slotGroup] : []);
      return false;
    }
    this.slot = slot;
    return true;
  }
}
