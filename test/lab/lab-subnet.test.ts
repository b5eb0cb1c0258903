import { describe, expect, it } from 'vitest';
import { MAIN_SUBNET, parseSubnet, prefixFor, subnetCapacity, subnetIp } from '../../scripts/lab/lab-subnet.js';

describe('lab subnets', () => {
  it('numbers the bridge first, then hosts, skipping .0 and .255', () => {
    const main = parseSubnet(MAIN_SUBNET);
    expect([0, 1, 2, 253, 254, 255, 508].map((i) => subnetIp(main, i))).toEqual([
      '198.18.0.1', '198.18.0.2', '198.18.0.3', '198.18.0.254', '198.18.1.1', '198.18.1.2', '198.18.2.1',
    ]);
    expect(subnetCapacity(main)).toBe(128 * 254 - 1);
  });

  it('keeps a /24 side lab inside its block', () => {
    const side = parseSubnet('198.19.7.0/24');
    expect(subnetIp(side, 1)).toBe('198.19.7.2');
    expect(subnetCapacity(side)).toBe(253);
    expect(() => subnetIp(side, 254)).toThrow('198.19.7.0/24 holds 253 hosts; asked for host 254');
  });

  it('reads a bare 19 as 198.19.0.0/16', () => {
    expect(parseSubnet('19')).toEqual({ cidr: '198.19.0.0/16', base: 198 * 2 ** 24 + 19 * 2 ** 16, prefix: 16 });
  });

  it('refuses any block outside 198.18.0.0/15 or misaligned', () => {
    for (const bad of ['10.0.0.0/24', '198.20.0.0/16', '198.18.0.0/15', '198.18.1.0/16', '198.18.0.0/25', 'x']) {
      expect(() => parseSubnet(bad)).toThrow(`lab subnet must be an aligned /16../24 block inside 198.18.0.0/15; got "${bad}"`);
    }
  });

  it('sizes a side block for the hosts asked: a /24 up to 253 hosts, a /22 for 1,000', () => {
    expect([1, 253, 254, 507, 508, 1000, 1015, 1016].map(prefixFor)).toEqual([24, 24, 23, 23, 22, 22, 22, 21]);
    const big = parseSubnet('198.19.4.0/22');
    expect(subnetCapacity(big)).toBeGreaterThanOrEqual(1000);
    expect(subnetIp(big, 1000)).toBe('198.19.7.239');
  });
});
