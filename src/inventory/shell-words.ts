// A host line of an INI inventory splits into words as Python's shlex.split(line, comments=True) splits it.

/** One word and the 0-based column where it starts. */
export interface Word {
  text: string;
  col: number;
}

/** The words, or the problem and the column of the quote or backslash left open. */
export type SplitResult = { words: Word[] } | { error: string; col: number };

// POSIX rules: quotes group, `\` escapes outside single quotes, `#` starts a comment even inside a word.
export function splitShellWords(line: string): SplitResult {
  const words: Word[] = [];
  let text = '';
  let start = -1;
  let i = 0;
  const flush = (): void => {
    if (start >= 0) words.push({ text, col: start });
    text = '';
    start = -1;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      flush();
      i++;
    } else if (c === '#') {
      break;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return { error: 'the line ends with a backslash', col: i };
      if (start < 0) start = i;
      text += line[i + 1];
      i += 2;
    } else if (c === "'" || c === '"') {
      if (start < 0) start = i;
      const open = i;
      i++;
      for (;;) {
        if (i >= line.length) return { error: `no closing quotation for the ${c === '"' ? 'double' : 'single'} quote`, col: open };
        const q = line[i]!;
        if (q === c) break;
        // Inside double quotes a backslash escapes only `"` and `\`.
        if (c === '"' && q === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          text += line[i + 1];
          i += 2;
        } else if (c === '"' && q === '\\' && i + 1 >= line.length) {
          return { error: 'no closing quotation for the double quote', col: open };
        } else {
          text += q;
          i++;
        }
      }
      i++;
    } else {
      if (start < 0) start = i;
      text += c;
      i++;
    }
  }
  flush();
  return { words };
}
