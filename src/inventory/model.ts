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
  /** Group variables set in the inventory source itself. */
  vars: Vars;
  /** Variables from group_vars/ next to the inventory; they apply after every group's own `vars`, as in Ansible. */
  dirVars?: Vars;
  /** `ansible_group_priority`: among groups of the same depth, a higher one applies later. @defaultValue 1 */
  priority?: number;
  pos?: SourcePos;
}

export interface Inventory {
  /** Path of the file or folder it came from (the first of several); '' for the implicit localhost-only inventory. */
  source: string;
  /** Every source given, in order (files, folders, scripts, `host1,host2,` lists). */
  sources?: string[];
  hosts: Map<string, InventoryHost>;
  groups: Map<string, InventoryGroup>;
}
