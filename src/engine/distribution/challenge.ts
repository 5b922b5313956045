/**
 * WWW-Authenticate challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"`
 * or `Basic realm="…"`, possibly several in one header or several headers.
 */
export interface Challenge {
  /** Lowercase: "bearer", "basic". */
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenges(headers: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const h of headers) out.push(...parseOne(h));
  return out;
}

function parseOne(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  };
  const token = () => {
    const start = i;
    while (i < s.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < s.length) {
    skipWs();
    if (s[i] === ",") {
      i++;
      continue;
    }
    const word = token();
    if (word === "") {
      i++;
      continue;
    }
    skipWs();
    if (s[i] === "=") {
      // A parameter of the current challenge.
      i++;
      skipWs();
      let value = "";
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === "\\" && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        const start = i;
        while (i < s.length && s[i] !== "," && s[i] !== " ") i++;
        value = s.slice(start, i);
      }
      if (current !== undefined) current.params[word.toLowerCase()] = value;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}
