/**
 * `--user` and `--group-add` resolved against the image's /etc/passwd and
 * /etc/group, as runc's libcontainer/user does for Docker: names must exist,
 * numbers need not; the user's supplementary groups come from /etc/group.
 */
import { invalid } from "../../errors.js";

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface ExecUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(":");
    if (f.length < 4 || f[0] === "" || line.startsWith("#")) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0] ?? "", uid, gid, home: f[5] ?? "" });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(":");
    if (f.length < 3 || f[0] === "" || line.startsWith("#")) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    out.push({ name: f[0] ?? "", gid, members: (f[3] ?? "").split(",").filter((m) => m !== "") });
  }
  return out;
}

const numeric = /^[0-9]+$/;

/**
 * "user", "uid", "user:group", "uid:gid" (or "") to ids. `passwd`/`group`
 * are the file contents, undefined when the image has no such file.
 */
export function resolveUser(
  spec: string,
  groupAdd: readonly string[],
  passwd: string | undefined,
  group: string | undefined,
): ExecUser {
  const users = parsePasswd(passwd ?? "");
  const groups = parseGroup(group ?? "");
  const [userPart = "", groupPart] = spec.split(":", 2);
  let uid = 0;
  let gid = 0;
  let home = "/";
  let name: string | undefined = "root";
  if (userPart !== "") {
    const byNum = numeric.test(userPart);
    const entry = users.find((u) => (byNum ? u.uid === Number(userPart) : u.name === userPart));
    if (entry === undefined) {
      if (!byNum) throw invalid(`unable to find user ${userPart}: no matching entries in passwd file`);
      uid = Number(userPart);
      name = undefined;
    } else {
      ({ uid, gid, home } = entry);
      name = entry.name;
    }
  } else {
    const root = users.find((u) => u.uid === 0);
    if (root) ({ gid, home } = root);
  }
  if (groupPart !== undefined && groupPart !== "") gid = groupId(groupPart, groups);
  // The primary group is a supplementary group too, as dockerd sets it since the fix of
  // CVE-2022-36109 (`id` shows groups=<gid>).
  const additional: number[] = [gid];
  if (name !== undefined && (groupPart === undefined || groupPart === "")) {
    for (const g of groups)
      if (g.members.includes(name) && !additional.includes(g.gid)) additional.push(g.gid);
  }
  for (const g of groupAdd) {
    const id = groupId(g, groups);
    if (!additional.includes(id)) additional.push(id);
  }
  return { uid, gid, additionalGids: additional, home };
}

function groupId(spec: string, groups: readonly GroupEntry[]): number {
  if (numeric.test(spec)) return Number(spec);
  const g = groups.find((x) => x.name === spec);
  if (g === undefined) throw invalid(`unable to find group ${spec}: no matching entries in group file`);
  return g.gid;
}
