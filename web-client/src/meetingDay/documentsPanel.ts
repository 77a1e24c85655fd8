// The documents of a meeting, beside the call. The comune operator sends the citizen's documents
// to INPS ("Invia all’INPS": PDF or signed .p7m, at most 4 MB each, with a progress bar) and
// attests a copy as conforming to the original; the INPS official sees them arrive (the server's
// `documents_changed` makes the panel read the list again) and downloads them.

import { ApiError } from '../api';
import * as booking from '../booking/api';
import type { DocumentEntry } from '../booking/types';
import { bookingErrorText } from '../messages';
import { h } from '../widgets/dom';

export type DocumentsMode = 'operator' | 'official';

/** The most bytes of a document (4 MB = 4,000,000 bytes, as the server counts them). */
const MAX_BYTES = 4_000_000;

/** "1,2 MB", "350 kB". */
function sizeText(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toLocaleString('it-IT', { maximumFractionDigits: 1 })} MB`;
  return `${Math.max(1, Math.round(bytes / 1000)).toLocaleString('it-IT')} kB`;
}

/** What the signature check said, in words. */
function signatureText(d: DocumentEntry): string | null {
  const who = d.signer_name ? `Firmato da ${d.signer_name}` : 'Firmato';
  switch (d.signature) {
    case 'none': return null;
    case 'trusted': return `${who}: firma valida, certificato verificato.`;
    case 'untrusted': return `${who}: firma valida, certificato non riconosciuto dall’elenco di fiducia.`;
    default: return `${who}: firma valida, certificato non verificato.`;
  }
}

/** One of the panel's two ways to send a file. */
interface Sending {
  id: string;
  label: string;
  hint: string;
  button: string;
  accept: string;
  send(appointmentId: string, file: File, progress: (sent: number) => void): Promise<{ name: string }>;
  sent(name: string): string;
}

/** The operator sends the citizen's document to INPS. */
const TO_INPS: Sending = {
  id: 'document-file',
  label: 'Documento del cittadino',
  hint: 'Un file PDF o firmato .p7m, al massimo 4 MB.',
  button: 'Invia all’INPS',
  accept: '.pdf,.p7m,application/pdf,application/pkcs7-mime',
  send: (id, file, progress) => booking.uploadDocument(id, file, progress),
  sent: (name) => `«${name}» è stato inviato all’INPS.`,
};

/** The official sends a PDF to be printed at the kiosk (never kept). */
const TO_PRINT: Sending = {
  id: 'print-file',
  label: 'Documento da stampare',
  hint: 'Un file PDF, al massimo 4 MB. Il Comune lo stampa per il cittadino; non ne resta copia.',
  button: 'Invia da stampare',
  accept: '.pdf,application/pdf',
  send: (id, file, progress) => booking.sendToPrint(id, file, progress),
  sent: (name) => `«${name}» è stato inviato al Comune per la stampa.`,
};

export class DocumentsPanel {
  readonly root: HTMLElement;
  private readonly list = h('ul', { class: 'doc-list', id: 'documents' });
  private readonly status = h('p', { class: 'doc-status', role: 'status' });
  private readonly problem = h('p', { class: 'doc-error', role: 'alert', hidden: true });
  private readonly progress = h('progress', { class: 'doc-progress', max: '100', value: '0', hidden: true, 'aria-label': 'Invio del documento' });
  private busy = false;

  constructor(private readonly appointmentId: string, private readonly mode: DocumentsMode) {
    // The operator: the form first, then what was sent. The official: what arrived first, then
    // the form of what goes to the kiosk's printer.
    this.root = mode === 'operator'
      ? h('section', { class: 'documents-panel', 'aria-labelledby': 'documents-title' },
        h('h2', { class: 'documents-title', id: 'documents-title' }, 'Documenti per l’INPS'),
        this.uploadForm(TO_INPS), this.problem, this.status, this.list)
      : h('section', { class: 'documents-panel', 'aria-labelledby': 'documents-title' },
        h('h2', { class: 'documents-title', id: 'documents-title' }, 'Documenti'),
        h('h3', { class: 'documents-subtitle' }, 'Ricevuti dal Comune'),
        this.list,
        h('h3', { class: 'documents-subtitle' }, 'Da stampare al Comune'),
        this.uploadForm(TO_PRINT), this.problem, this.status);
    void this.refresh();
  }

  /** Reads the list again (after `documents_changed`, an upload, an attestation). */
  async refresh(): Promise<void> {
    try {
      const docs = await booking.documents(this.appointmentId);
      this.render(docs);
    } catch (err) {
      this.say(err);
    }
  }

  private uploadForm(how: Sending): HTMLElement {
    const hintId = `${how.id}-hint`;
    const input = h('input', { type: 'file', id: how.id, class: 'form-control doc-file', accept: how.accept, 'aria-describedby': hintId });
    const send = h('button', { type: 'submit', class: 'btn btn-primary btn-lg doc-send' }, how.button);
    const form = h('form', { class: 'doc-form', novalidate: true },
      h('label', { for: how.id, class: 'doc-label' }, how.label),
      h('p', { class: 'doc-hint', id: hintId }, how.hint),
      input, send, this.progress);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const file = input.files?.[0];
      if (this.busy) return;
      if (!file) { this.say(null, 'Scelga prima il file del documento.'); input.focus(); return; }
      if (file.size > MAX_BYTES) { this.say(null, bookingErrorText('document_too_large')); input.focus(); return; }
      this.busy = true;
      send.disabled = true;
      this.problem.hidden = true;
      this.progress.hidden = false;
      this.progress.value = 0;
      this.status.textContent = `Invio di «${file.name}» in corso…`;
      how.send(this.appointmentId, file, (sent) => { this.progress.value = Math.round(sent * 100); })
        .then(async (doc) => {
          input.value = '';
          await this.refresh();
          this.status.textContent = how.sent(doc.name);
        }, (err: unknown) => { this.say(err); this.status.textContent = ''; })
        .finally(() => { this.busy = false; send.disabled = false; this.progress.hidden = true; });
    });
    return form;
  }

  private render(docs: DocumentEntry[]): void {
    if (docs.length === 0) {
      this.list.replaceChildren(h('li', { class: 'doc-empty' },
        this.mode === 'operator' ? 'Nessun documento inviato.' : 'Nessun documento ricevuto.'));
      return;
    }
    this.list.replaceChildren(...docs.map((d) => this.item(d)));
  }

  private item(d: DocumentEntry): HTMLElement {
    const signature = signatureText(d);
    const attested = d.attested_by
      ? h('p', { class: 'doc-attested' }, `Copia conforme all’originale (attestata da ${d.attested_by}).`)
      : null;
    const actions: HTMLElement[] = [];
    if (this.mode === 'official') {
      actions.push(h('a', { class: 'btn btn-outline-primary doc-download', href: booking.documentUrl(this.appointmentId, d.id), download: d.name },
        'Scarica', h('span', { class: 'visually-hidden' }, ` ${d.name}`)));
    } else if (!d.attested_by) {
      const attest = h('button', { type: 'button', class: 'btn btn-outline-primary doc-attest' },
        'Attesta conforme all’originale', h('span', { class: 'visually-hidden' }, ` ${d.name}`));
      attest.addEventListener('click', () => {
        attest.disabled = true;
        booking.attestDocument(this.appointmentId, d.id).then(() => this.refresh(), (err: unknown) => {
          attest.disabled = false;
          this.say(err);
        });
      });
      actions.push(attest);
    }
    return h('li', { class: 'doc-item', 'data-document-id': d.id },
      h('p', { class: 'doc-name' }, d.name),
      h('p', { class: 'doc-meta' }, `${d.kind === 'pdf' ? 'PDF' : 'File firmato .p7m'}, ${sizeText(d.size)}, ${d.pages === 1 ? '1 pagina' : `${String(d.pages)} pagine`}`),
      signature ? h('p', { class: 'doc-signature' }, signature) : null,
      attested,
      ...actions);
  }

  private say(err: unknown, text?: string): void {
    this.problem.textContent = text ?? bookingErrorText(err instanceof ApiError ? err.code : 'network');
    this.problem.hidden = false;
  }
}
