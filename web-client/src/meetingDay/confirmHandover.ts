// "Passa al cittadino": the confirm step before the operator hands the kiosk to the citizen.

import { h } from '../widgets/dom';
import { openModal } from '../widgets/modal';

/** Asks the operator to confirm; resolves true on "Sì, passa al cittadino". */
export function confirmHandover(): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: 'btn btn-primary btn-lg', id: 'btn-handover-confirm' }, 'Sì, passa al cittadino');
    const no = h('button', { type: 'button', class: 'btn btn-outline-primary btn-lg' }, 'Annulla');
    const modal = openModal('Passare la videochiamata al cittadino?', [
      h('p', { class: 'sp-modal-text' },
        'La videochiamata continua con il cittadino e il funzionario INPS. Lei uscirà dal suo profilo su questa postazione: per tornare dovrà accedere di nuovo con “Richiama operatore”.'),
      h('div', { class: 'sp-modal-buttons' }, yes, no),
    ], () => { resolve(false); });
    yes.addEventListener('click', () => { modal.close(); resolve(true); });
    no.addEventListener('click', () => { modal.close(); resolve(false); });
    yes.focus();
  });
}
