// The operator's own comune as the server knows it (name, Belfiore code). The names shown in the
// interface come from the server: the session (`GET /v1/session`), the appointments and the
// comuni search (`GET /v1/booking/comuni?q=`).

import { searchComuni } from './api';
import type { Comune } from './types';

let ownComune: { istat: string; comune: Promise<Comune | null> } | null = null;

/** The comune `istat` (named `name` in the session), found through the comuni search. */
export function operatorComune(istat: string, name: string | null): Promise<Comune | null> {
  if (ownComune?.istat !== istat) {
    ownComune = {
      istat,
      comune: (async () => {
        if (!name) return null;
        try {
          return (await searchComuni(name)).find((c) => c.istat === istat) ?? null;
        } catch {
          return null;
        }
      })(),
    };
  }
  return ownComune.comune;
}
