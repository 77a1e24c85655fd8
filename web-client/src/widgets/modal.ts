// A modal dialog on the native <dialog> element: focus moves in, Escape cancels, focus goes
// back where it was when the dialog closes.

import { h } from './dom';

/** Close functions of the dialogs open now. */
const open = new Set<() => void>();

/** Closes every open dialog (the meeting ended under it): their promises stay unsettled. */
export function closeAllModals(): void {
  for (const close of [...open]) close();
}

export interface Modal {
  dialog: HTMLDialogElement;
  /** Closes and removes the dialog. */
  close(): void;
}

/** Opens a modal with `title` and `body`; `onCancel` runs when Escape closes it. */
export function openModal(title: string, body: HTMLElement[], onCancel: () => void = () => undefined): Modal {
  const back = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = `modal-title-${Math.random().toString(36).slice(2, 9)}`;
  const dialog = h('dialog', { class: 'sp-modal', 'aria-labelledby': titleId },
    h('h2', { id: titleId, class: 'sp-modal-title' }, title),
    ...body);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    open.delete(close);
    if (dialog.open) dialog.close();
    dialog.remove();
    if (back?.isConnected) back.focus();
  };
  dialog.addEventListener('cancel', (ev) => {
    ev.preventDefault();
    close();
    onCancel();
  });
  open.add(close);
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, close };
}
