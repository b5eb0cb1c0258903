// What the inventory loader produces: plain data, already validated.
import type { SourcePos } from '../core/errors.js';

export type Vars = Record<string, unknown>;

export interface InventoryHost {
  name: string;
  /** Variables set on the host itself (inventory file, then host_vars/). */
  vars: Vars;
  /** Every group the host belongs to, including ancestors and `all`, ordered from `all` to the most specific. */
  groups: string[];
  pos?: SourcePos;
  /** The implicit `localhost` (local connection) added when the inventory does not define it; not a member of `all`'s hosts. */
  implicit?: boolean;
}

export interface InventoryGroup {
  name: string;
  /** Hosts listed directly in this group. */
  hosts: string[];
  /** Direct child groups. */
  children: string[];
  /** Group variables (inventory file, then group_vars/). */
  vars: Vars;
  pos?: SourcePos;
}

export interface Inventory {
  /** Path of the file or folder it came from; '' for the implicit localhost-only inventory. */
  source: string;
  hosts: Map<string, InventoryHost>;
  groups: Map<string, InventoryGroup>;
}
