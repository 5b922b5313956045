/**
 * Disk usage of a volume's data directory, as moby's directory.Size counts
 * it: the sizes of everything but directories, each hard-linked inode once.
 * Mount points below the root are crossed, as Docker's walk does.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export async function dirSize(root: string): Promise<number> {
  const seen = new Set<bigint>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      let st;
      try {
        st = await lstat(path, { bigint: true });
      } catch {
        continue; // Removed while we walked.
      }
      if (st.isDirectory()) {
        await walk(path).catch(() => undefined);
        continue;
      }
      if (st.size === 0n || seen.has(st.ino)) continue;
      seen.add(st.ino);
      total += Number(st.size);
    }
  };
  await walk(root);
  return total;
}
