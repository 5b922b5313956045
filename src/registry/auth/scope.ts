/**
 * Access scopes as the token protocol writes them:
 * `repository:library/alpine:pull,push`, `registry:catalog:*`.
 */

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** Parses one scope string; the name may itself hold colons (host:port/repo). */
export function parseScope(s: string): Access | undefined {
  const first = s.indexOf(":");
  const last = s.lastIndexOf(":");
  if (first <= 0 || last === first) return undefined;
  const actions = s
    .slice(last + 1)
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  return { type: s.slice(0, first), name: s.slice(first + 1, last), actions };
}

export function formatScope(a: Access): string {
  return `${a.type}:${a.name}:${a.actions.join(",")}`;
}

/** Whether `granted` covers every action of `need` ("*" covers all). */
export function covers(granted: readonly Access[], need: Access): boolean {
  const have = new Set<string>();
  for (const g of granted) {
    if (g.type === need.type && g.name === need.name) for (const a of g.actions) have.add(a);
  }
  return have.has("*") || need.actions.every((a) => have.has(a));
}
