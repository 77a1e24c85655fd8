// What the steps of the booking wizard share with the wizard around them: the step box, the
// "Avanti" button, the busy state and the error summary.

import { ApiError } from '../../api';
import type { Field } from '../../widgets/form';
import { h } from '../../widgets/dom';
import type { PageContext } from '../../staff/pages';

/** A field that needs fixing, with its Italian message. */
export interface Problem {
  field: HTMLElement;
  message: string;
}

export interface StepHost {
  readonly ctx: PageContext;
  /** Today in Rome (YYYY-MM-DD), fixed when the wizard opened. */
  readonly today: string;
  readonly stepBox: HTMLElement;
  readonly next: HTMLButtonElement;
  setBusy(busy: boolean): void;
  /** Shows the problems next to their fields and in a summary; true when there are none. */
  showProblems(problems: Problem[], fields: Field<HTMLElement>[]): boolean;
}

/** The server's error code of a failed call ('internal' for anything else). */
export function errCode(err: unknown): string {
  return err instanceof ApiError ? err.code : 'internal';
}

/** One term and its value in a summary list ("–" when there is none). */
export function def(term: string, value: string | Node | null): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value ?? '–')];
}
