/**
 * `--chown=user:group` to numeric IDs, names looked up in the image's own /etc/passwd and
 * /etc/group (moby's parseChownFlag): a lone `user` is also used as the group.
 */
import { readFile } from "node:fs/promises";
import { invalid } from "../errors.js";
import { buildMessages } from "../messages.js";
import { resolveInRoot } from "./rootPath.js";

export interface Owner {
  uid: number;
  gid: number;
}

/** Name → id from passwd/group text (field 0 and field 2). */
export function parseIdFile(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 3 || f[0] === "" || line.startsWith("#")) continue;
    const id = Number(f[2]);
    if (Number.isInteger(id) && !m.has(f[0] as string)) m.set(f[0] as string, id);
  }
  return m;
}

async function idFile(root: string, name: string): Promise<Map<string, number>> {
  try {
    return parseIdFile(await readFile(await resolveInRoot(root, `/etc/${name}`), "utf8"));
  } catch {
    return new Map();
  }
}

const numeric = (s: string) => /^[0-9]+$/.test(s);

export async function resolveChown(root: string | undefined, spec: string): Promise<Owner> {
  const parts = spec.split(":");
  if (parts.length > 2) throw invalid(buildMessages.chownFormat(spec));
  const user = parts[0] ?? "";
  const group = parts.length === 2 ? (parts[1] ?? "") : user;
  const lookup = async (name: string, file: "passwd" | "group"): Promise<number | undefined> => {
    if (numeric(name)) return Number(name);
    if (root === undefined) return undefined;
    return (await idFile(root, file)).get(name);
  };
  const uid = await lookup(user, "passwd");
  if (uid === undefined) throw invalid(buildMessages.noUid(user));
  const gid = await lookup(group, "group");
  if (gid === undefined) throw invalid(buildMessages.noGid(group));
  return { uid, gid };
}
