import { SyntaxProblem } from "./errors.js";
import { boolFlag, parseFlags } from "./flags.js";
import { parseHeredocWord, toHeredoc } from "./heredoc.js";
import type { LocatedNode } from "./parser.js";
import type * as T from "./types.js";

/** ADD and COPY: flags, sources (paths, URLs or heredocs) and the destination. */
export function transferInstruction(
  node: LocatedNode,
  c: T.Common,
  kind: "add" | "copy",
): T.AddInstruction | T.CopyInstruction {
  const cmd = kind.toUpperCase();
  if (node.args.length < 2)
    throw new SyntaxProblem(
      `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`,
    );
  const flags =
    kind === "add"
      ? parseFlags(node.flags, {
          chown: "string",
          chmod: "string",
          link: "bool",
          "keep-git-dir": "bool",
          checksum: "string",
          unpack: "bool",
          exclude: "strings",
        })
      : parseFlags(node.flags, {
          chown: "string",
          from: "string",
          chmod: "string",
          link: "bool",
          exclude: "strings",
          parents: "bool",
        });
  const dest = node.args[node.args.length - 1] as string;
  if (parseHeredocWord(dest) !== undefined)
    throw new SyntaxProblem(`${cmd} cannot accept a heredoc as a destination`);
  const bodies = new Map(node.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const sourceContents: T.Heredoc[] = [];
  for (const src of node.args.slice(0, -1)) {
    const word = parseHeredocWord(src);
    if (word === undefined) sources.push(src);
    else sourceContents.push(toHeredoc({ ...word, content: bodies.get(word.name)?.content ?? "" }));
  }
  const chown = flags.values.get("chown");
  const chmod = flags.values.get("chmod");
  const base = {
    ...c,
    sources,
    sourceContents,
    dest,
    ...(chown ? { chown } : {}),
    ...(chmod ? { chmod } : {}),
    link: boolFlag(flags, "link") ?? false,
    exclude: flags.lists.get("exclude") ?? [],
    json: node.json,
  };
  if (kind === "copy") {
    const from = flags.values.get("from");
    return { ...base, kind, ...(from ? { from } : {}), parents: boolFlag(flags, "parents") ?? false };
  }
  const keepGitDir = boolFlag(flags, "keep-git-dir");
  const unpack = boolFlag(flags, "unpack");
  const checksum = flags.values.get("checksum");
  return {
    ...base,
    kind,
    ...(keepGitDir !== undefined && { keepGitDir }),
    ...(unpack !== undefined && { unpack }),
    ...(checksum ? { checksum } : {}),
  };
}
