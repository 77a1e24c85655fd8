// The kiosk's documents to print: the INPS official sent a PDF; the citizen (or the operator
// beside them) sees it in a dialog with "Stampa" (the browser's print dialog on the embedded
// document) and "Ho finito". The server keeps the document in memory only and drops it once
// printed or dismissed, when the meeting ends, or after a few minutes.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import type { PrintEntry } from '../booking/types';
import { bookingErrorText } from '../messages';
import { h } from '../widgets/dom';
import { type Modal, openModal } from '../widgets/modal';

export class PrintPanel {
  private shown: string | null = null;
  private modal: Modal | null = null;
  private disposed = false;

  /** `csrf` gives the citizen session's CSRF token (it may change after a reload). */
  constructor(private readonly csrf: () => string) {
    void this.refresh();
  }

  /** Reads the list again (signalling `prints_changed`, and at the start). */
  async refresh(): Promise<void> {
    let list: PrintEntry[];
    try {
      list = await booking.citizenPrints();
    } catch {
      return; // Not a citizen session (any more), or the meeting ended: nothing to show.
    }
    if (this.disposed) return;
    const next = list[0] ?? null;
    if (next?.id === this.shown) return;
    this.modal?.close();
    this.modal = null;
    this.shown = next?.id ?? null;
    if (next) this.show(next, list.length);
  }

  /** The role changed (the operator came back) or the page goes: no dialog stays behind. */
  dispose(): void {
    this.disposed = true;
    this.modal?.close();
    this.modal = null;
  }

  private show(doc: PrintEntry, waiting: number): void {
    const frame = h('iframe', { class: 'print-frame', src: booking.citizenPrintUrl(doc.id), title: `Documento: ${doc.name}` });
    const print = h('button', { type: 'button', class: 'btn btn-primary btn-lg print-button' }, 'Stampa');
    const done = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Ho finito');
    const problem = h('p', { class: 'print-error', role: 'alert', hidden: true });
    const finish = (): void => {
      done.disabled = true;
      booking.citizenPrintDone(doc.id, this.csrf()).then(() => this.refresh(), (err: unknown) => {
        done.disabled = false;
        problem.textContent = bookingErrorText(err instanceof ApiError ? err.code : 'network');
        problem.hidden = false;
      });
    };
    print.addEventListener('click', () => {
      const w = frame.contentWindow;
      if (w) {
        w.focus();
        w.print();
      }
    });
    done.addEventListener('click', finish);
    const more = waiting > 1 ? [h('p', { class: 'sp-modal-text' }, `Dopo questo ci sono altri ${String(waiting - 1)} documenti.`)] : [];
    this.modal = openModal('Documento da stampare', [
      h('p', { class: 'sp-modal-text print-lead' },
        `L’INPS le ha mandato «${doc.name}». Prema «Stampa» per averlo su carta, poi «Ho finito».`),
      ...more,
      frame,
      h('div', { class: 'sp-modal-buttons' }, print, done),
      problem,
    ], finish);
    this.modal.dialog.classList.add('print-dialog');
    print.focus();
  }
}
