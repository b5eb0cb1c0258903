// Ansible's `version` test: loose (distutils LooseVersion, the default), strict (StrictVersion) and semver comparisons.
import { FilterError } from './table.js';
import { str } from './values.js';

type Part = number | string;

const OPERATORS: Record<string, string> = {
  '==': 'eq', '=': 'eq', eq: 'eq', '<': 'lt', lt: 'lt', '<=': 'le', le: 'le',
  '>': 'gt', gt: 'gt', '>=': 'ge', ge: 'ge', '!=': 'ne', '<>': 'ne', ne: 'ne',
};

function loose(v: string): Part[] {
  return v
    .split(/(\d+|[a-z]+|\.)/)
    .filter((x) => x !== '' && x !== '.')
    .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

function strict(v: string): Part[] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$/.exec(v);
  if (!m) throw new FilterError(`Version comparison failed: invalid version number '${v}'`);
  // A release sorts after its pre-releases: "~" stands for "no pre-release" and sorts after "a" and "b".
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), m[4] ?? '~', Number(m[5] ?? 0)];
}

function semver(v: string): Part[] {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (!m) throw new FilterError(`Version comparison failed: invalid semantic version '${v}'`);
  const pre = m[4] ? m[4].split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : [];
  return [Number(m[1]), Number(m[2]), Number(m[3]), pre.length === 0 ? 1 : 0, ...pre];
}

function compareParts(a: Part[], b: Part[], ordering: boolean): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x === y) continue;
    if (typeof x !== typeof y) {
      if (!ordering) return 1;
      throw new FilterError(`Version comparison failed: '<' not supported between '${x}' and '${y}' (use version_type='semver' or compare like with like)`);
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

// `value is version('1.2', '>=', strict=false, version_type='loose')`.
export function versionTest(value: unknown, version: unknown, operator: unknown, strictArg: unknown, type: unknown): boolean {
  if (strictArg && type) throw new FilterError("Cannot specify both 'strict' and 'version_type'");
  if (!str(value)) throw new FilterError('Input version value cannot be empty');
  if (!str(version)) throw new FilterError('Version parameter to compare against cannot be empty');
  const op = OPERATORS[str(operator ?? 'eq')];
  if (!op) throw new FilterError(`Invalid operator type (${str(operator)}). Must be one of ${Object.keys(OPERATORS).join(', ')}`);
  const kind = strictArg ? 'strict' : str(type ?? 'loose');
  const parse = kind === 'strict' ? strict : kind === 'semver' || kind === 'semantic' ? semver : kind === 'loose' ? loose : undefined;
  if (!parse) throw new FilterError(`Invalid version type (${kind}). Must be one of loose, strict, semver, semantic`);
  const c = compareParts(parse(str(value)), parse(str(version)), op !== 'eq' && op !== 'ne');
  return { eq: c === 0, ne: c !== 0, lt: c < 0, le: c <= 0, gt: c > 0, ge: c >= 0 }[op]!;
}
