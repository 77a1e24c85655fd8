// Who is in the room and in which role, at every moment (this page included), for everyone.

import { ROLE_LABEL } from '../messages';
import type { ParticipantInfo } from '../generated/ParticipantInfo';
import type { Role } from '../generated/Role';
import { h } from '../widgets/dom';

/** The order the roster lists roles in. */
const ORDER: Role[] = ['official', 'operator', 'citizen', 'load_tester'];

export class Roster {
  readonly root: HTMLElement;
  private readonly list = h('ul', { class: 'roster-list', id: 'roster' });
  private readonly people = new Map<string, ParticipantInfo>();
  private selfRole: Role | null = null;

  constructor() {
    this.root = h('section', { class: 'roster', 'aria-labelledby': 'roster-title' },
      h('h2', { class: 'roster-title', id: 'roster-title' }, 'Partecipanti'),
      this.list);
    this.render();
  }

  setSelfRole(role: Role): void {
    this.selfRole = role;
    this.render();
  }

  upsert(p: ParticipantInfo): void {
    this.people.set(p.id, { ...p });
    this.render();
  }

  remove(id: string): void {
    if (this.people.delete(id)) this.render();
  }

  clear(): void {
    this.people.clear();
    this.render();
  }

  private render(): void {
    const rank = (r: Role): number => ORDER.indexOf(r);
    const others = [...this.people.values()].sort((a, b) => rank(a.role) - rank(b.role));
    const items: HTMLElement[] = [];
    if (this.selfRole) {
      items.push(h('li', { class: 'roster-item is-self', 'data-role': this.selfRole },
        h('span', { class: 'roster-name' }, 'Lei'), h('span', { class: 'roster-role' }, ROLE_LABEL[this.selfRole])));
    }
    for (const p of others) {
      items.push(h('li', { class: 'roster-item', 'data-role': p.role, 'data-roster-id': p.id },
        h('span', { class: 'roster-name' }, p.display_name), h('span', { class: 'roster-role' }, ROLE_LABEL[p.role])));
    }
    this.list.replaceChildren(...items);
  }
}
