// The wizard's data kept across a browser Back or a reload of the page: the fields of the
// applicant and service steps, in sessionStorage (this tab only, gone with it; never
// localStorage: it is personal data). Cleared after "Prenota", when the hold lapses, on
// "Annulla", and ignored once older than DRAFT_TTL_MS.

const KEY = 'sportello.prenota.bozza';
/** How long a draft is offered back after its last change. */
const DRAFT_TTL_MS = 15 * 60 * 1000;

interface Entry {
  id: string;
  value?: string;
  checked?: boolean;
  /** A select's chosen option's text (the option may not exist yet when restoring). */
  text?: string;
}

interface Draft {
  savedAt: number;
  entries: Entry[];
}

function fields(roots: HTMLElement[]): (HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement)[] {
  return roots.flatMap((r) => Array.from(r.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input[id], select[id], textarea[id]')));
}

/** Saves the fields under `roots`. */
export function saveDraft(roots: HTMLElement[]): void {
  const entries: Entry[] = fields(roots).map((el) => {
    if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) return { id: el.id, checked: el.checked };
    if (el instanceof HTMLSelectElement) return { id: el.id, value: el.value, text: el.selectedOptions[0]?.textContent ?? '' };
    return { id: el.id, value: el.value };
  });
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ savedAt: Date.now(), entries } satisfies Draft));
  } catch {
    // Storage full or disabled: the wizard works without it.
  }
}

export function clearDraft(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing to clear
  }
}

function loadDraft(): Draft | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const d = JSON.parse(raw) as Draft;
    if (typeof d.savedAt !== 'number' || !Array.isArray(d.entries) || Date.now() - d.savedAt > DRAFT_TTL_MS) {
      clearDraft();
      return null;
    }
    return d;
  } catch {
    clearDraft();
    return null;
  }
}

/**
 * Puts a saved draft back into the fields under `roots`, in their order, firing `change` so the
 * steps show what depends on them (the delegate box, another comune of residence); true if
 * there was one.
 */
export function restoreDraft(roots: HTMLElement[]): boolean {
  const d = loadDraft();
  if (!d) return false;
  const byId = new Map(d.entries.map((e) => [e.id, e]));
  let any = false;
  for (const el of fields(roots)) {
    const e = byId.get(el.id);
    if (!e) continue;
    if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
      if (el.checked === (e.checked ?? false)) continue;
      el.checked = e.checked ?? false;
    } else if (el instanceof HTMLSelectElement) {
      if (!e.value) continue;
      if (!Array.from(el.options).some((o) => o.value === e.value)) {
        const o = document.createElement('option');
        o.value = e.value;
        o.textContent = e.text ?? e.value;
        el.append(o);
      }
      el.value = e.value;
      const wrap = el.closest<HTMLElement>('.field');
      if (wrap) wrap.hidden = false;
    } else {
      if (!e.value || el.value === e.value) continue;
      el.value = e.value;
    }
    any = true;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }
  return any;
}
