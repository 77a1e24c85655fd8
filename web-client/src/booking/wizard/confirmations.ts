// The operator's confirmations before "Prenota" (step 5): the citizen signed the printed request
// form (privacy notice and authorisation to process the personal data) and the ID copies were
// acquired; with a delegate also the delegate's ID and, with a paper act, the signed act and the
// delegator's ID. The server refuses a booking without them, too.

import { h } from '../../widgets/dom';
import { checkField, type Field } from '../../widgets/form';
import type { Problem } from './stepHost';

/** What the applicant step says about the delegate. */
export interface DelegateKind {
  delegate: boolean;
  /** A paper delegation act (not a digital delegation). */
  paper: boolean;
}

export class Confirmations {
  readonly signed = checkField('form-signed',
    'Il richiedente ha firmato il modulo di richiesta, con l’informativa privacy e l’autorizzazione al trattamento dei dati personali');
  readonly idCopy = checkField('id-copy', 'Copia del documento d’identità del richiedente acquisita');
  readonly delegatorId = checkField('delegator-id-copy',
    'Atto di delega firmato e copia del documento d’identità del delegante (il richiedente) acquisiti');
  readonly delegateId = checkField('delegate-id-copy', 'Copia del documento d’identità del delegato acquisita');

  render(kind: DelegateKind): HTMLElement {
    return h('fieldset', { class: 'form-section confirmations' },
      h('legend', {}, 'Conferme dell’operatore'),
      h('p', { class: 'field-hint' }, 'Segni le caselle solo dopo la firma del modulo stampato e l’acquisizione dei documenti.'),
      this.signed.wrap,
      this.idCopy.wrap,
      kind.delegate ? this.delegateId.wrap : null,
      kind.delegate && kind.paper ? this.delegatorId.wrap : null);
  }

  fields(): Field<HTMLElement>[] {
    return [this.signed, this.idCopy, this.delegateId, this.delegatorId];
  }

  problems(kind: DelegateKind): Problem[] {
    const p: Problem[] = [];
    if (!this.signed.input.checked) {
      p.push({ field: this.signed.input, message: 'Il richiedente deve firmare il modulo stampato.' });
    }
    if (!this.idCopy.input.checked) {
      p.push({ field: this.idCopy.input, message: 'Acquisisca la copia del documento del richiedente.' });
    }
    if (kind.delegate && !this.delegateId.input.checked) {
      p.push({ field: this.delegateId.input, message: 'Acquisisca la copia del documento del delegato.' });
    }
    if (kind.delegate && kind.paper && !this.delegatorId.input.checked) {
      p.push({ field: this.delegatorId.input, message: 'Serve l’atto di delega con il documento del delegante.' });
    }
    return p;
  }

  /** Unticks every box (a new applicant or a new form to sign). */
  reset(): void {
    for (const f of this.fields()) (f.input as HTMLInputElement).checked = false;
  }
}
