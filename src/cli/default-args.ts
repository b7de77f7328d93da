/**
 * keepalived's `/etc/default/keepalived` (Debian's EnvironmentFile for keepalived.service:
 * `DAEMON_ARGS="..."`) read as systemd reads an EnvironmentFile: `NAME=value` lines, values in
 * double or single quotes or bare, `#` comment lines; then the value split into words as systemd
 * splits `$DAEMON_ARGS` in ExecStart= (at blanks, quotes grouping). Pure.
 */

/** The variables of an environment file, in order (a later assignment wins). */
export function readEnvironmentFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = (m[2] ?? '').trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    vars.set(m[1] as string, value);
  }
  return vars;
}

/** Words of an option string, as systemd splits `$VAR` in ExecStart= (quotes group, no expansion). */
export function splitWords(text: string): { ok: true; words: string[] } | { ok: false; error: string } {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    let word = '';
    while (i < text.length && !/\s/.test(text[i] as string)) {
      const c = text[i] as string;
      if (c === '"' || c === "'") {
        const end = text.indexOf(c, i + 1);
        if (end < 0) return { ok: false, error: `unmatched ${c} in '${text}'` };
        word += text.slice(i + 1, end);
        i = end + 1;
      } else if (c === '$' || c === '`') {
        return { ok: false, error: `'${text}' uses shell expansion (${c}), which cannot be carried over` };
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return { ok: true, words };
}

/**
 * A value for KEEPALIVED_TS_OPTIONS="...": words joined, each single-quoted if it needs it; null
 * if a word holds a quote, which that value cannot carry unchanged.
 */
export function joinWords(words: readonly string[]): string | null {
  if (words.some((w) => /["']/.test(w))) return null;
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w}'`)).join(' ');
}
