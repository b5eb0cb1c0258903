import { describe, expect, it } from 'vitest';
import { runYaml } from '../helpers/run-playbook.js';

describe('set_fact in a loop', () => {
  it('sets the fact for every item in order, so the last item wins, and never renders an item again', async () => {
    const r = await runYaml(`- hosts: localhost
  tasks:
    - set_fact: { got: "{{ item }}", "count": "{{ item }}" }
      loop: "{{ items }}"
    - name: show
      debug: { msg: "{{ got }}/{{ count }}" }
`, { extraVars: { items: ['a', 'b', '{{ inventory_hostname }}'] } });
    expect(r.results('show').localhost?.msg).toBe('{{ inventory_hostname }}/{{ inventory_hostname }}');
  });
});
