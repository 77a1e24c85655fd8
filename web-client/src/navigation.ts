// Client-side routes of the staff pages (`/accesso`, `/operatore`, ...). The server answers
// `index.html` for every path that is not an asset or an API route.

type Listener = () => void;
let listener: Listener | null = null;

/** Registers the function that shows the page of the current path. */
export function onNavigate(fn: Listener): void {
  listener = fn;
  window.addEventListener('popstate', () => { listener?.(); });
}

/** Goes to `path` (with its query) without reloading the page. */
export function navigate(path: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.scrollTo(0, 0);
  listener?.();
}

/** Makes a same-origin link navigate inside the app (keeps the real href for new tabs). */
export function linkTo(a: HTMLAnchorElement): HTMLAnchorElement {
  a.addEventListener('click', (ev) => {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    navigate(a.getAttribute('href') ?? '/');
  });
  return a;
}
