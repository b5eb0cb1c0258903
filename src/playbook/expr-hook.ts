// Hook for the expression syntax check of when/changed_when/failed_when/until (jexl, in src/template/expr.ts).

// Returns an error message for a malformed expression, undefined when it parses.
export function checkConditionSyntax(_expr: string): string | undefined {
  return undefined;
}
