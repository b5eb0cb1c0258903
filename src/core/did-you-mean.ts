// The one "did you mean" for misspelt keys, modules, variables, hosts and settings.

/**
 * The candidate a misspelt name most likely meant: the closest, ignoring case, within one edit per three characters
 * of the longer of the two. A swap of two neighbours counts as one edit.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const d = editDistance(lower, candidate.toLowerCase());
    if (d <= Math.floor(Math.max(name.length, candidate.length) / 3) && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

// `did you mean "x"?`, or undefined when nothing is close enough to be a typo.
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const best = closestName(name, candidates);
  return best === undefined ? undefined : `did you mean ${JSON.stringify(best)}?`;
}

// Insertions, deletions, substitutions and swaps of neighbours (optimal string alignment).
function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur.push(d);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}
