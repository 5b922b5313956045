/** Go's path.Clean, which the docker CLI applies to paths it rewrites (cp, --device). */
export function cleanPath(p: string): string {
  const abs = p.startsWith("/");
  const out: string[] = [];
  for (const c of p.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!abs) out.push("..");
      continue;
    }
    out.push(c);
  }
  const s = (abs ? "/" : "") + out.join("/");
  return s === "" ? "." : s;
}
