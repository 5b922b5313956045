/** images / image ls, image inspect, history, tag, rmi, image prune. */
import type { ImageSummaryWire } from "../../api/types/images.js";
import { ApiError } from "../../client/index.js";
// The pure reference grammar only (no service code): the CLI validates names like docker's does.
import {
  familiarName,
  parseAnyReference,
  parseNormalizedNamed,
  repoName,
  withDefaultTag,
} from "../../engine/images/reference.js";
import { inspectAll, inspectFormatFlag } from "../inspectAll.js";
import { CliError, type CliContext } from "../context.js";
import { ellipsis, humanSize, renderRows, timeAgo } from "../format/index.js";
import type { CommandSpec, FlagSpec, ParsedArgs } from "../spec.js";

const filterFlag: FlagSpec = {
  name: "filter",
  short: "f",
  kind: "list",
  description: "Filter output based on conditions provided",
  valueName: "filter",
};

const formatFlag = (description: string): FlagSpec => ({
  name: "format",
  kind: "string",
  description,
  valueName: "string",
});

/** --filter k=v… as the API's filters map. */
export function parseFilterFlags(values: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of values) {
    const eq = f.indexOf("=");
    if (eq <= 0) throw new CliError(`bad format of filter (expected name=value)`);
    (out[f.slice(0, eq).trim().toLowerCase()] ??= []).push(f.slice(eq + 1));
  }
  return out;
}

function shortImageId(id: string): string {
  return (id.startsWith("sha256:") ? id.slice(7) : id).slice(0, 12);
}

function isDangling(i: ImageSummaryWire): boolean {
  const tags = i.RepoTags ?? [];
  const digests = i.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return (
    tags.length === 1 && tags[0] === "<none>:<none>" && digests.length === 1 && digests[0] === "<none>@<none>"
  );
}

/** One row per (repository, tag[, digest]), as docker's imageFormatTaggedAndDigest. */
function imageRows(i: ImageSummaryWire, digests: boolean, trunc: boolean): Record<string, unknown>[] {
  const row = (repo: string, tag: string, digest: string) => ({
    ID: trunc ? shortImageId(i.Id) : i.Id,
    Repository: repo,
    Tag: tag,
    Digest: digest,
    CreatedSince: () => (i.Created > 0 ? timeAgo(i.Created * 1000) : "N/A"),
    CreatedAt: () => goTimeString(i.Created),
    Size: () => humanSize(i.Size, 3),
    VirtualSize: () => humanSize(i.VirtualSize ?? i.Size, 3),
    SharedSize: () => (i.SharedSize === -1 ? "N/A" : humanSize(i.SharedSize, 4)),
    UniqueSize: () => (i.SharedSize === -1 ? "N/A" : humanSize(i.Size - i.SharedSize, 4)),
    Containers: () => (i.Containers === -1 ? "N/A" : String(i.Containers)),
    Labels: () =>
      Object.entries(i.Labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
  });
  if (isDangling(i)) return [row("<none>", "<none>", "<none>")];
  const repoTags = new Map<string, string[]>();
  const repoDigests = new Map<string, string[]>();
  for (const t of i.RepoTags ?? []) {
    try {
      const r = parseNormalizedNamed(t);
      if (r.tag !== undefined)
        repoTags.set(familiarName(r), [...(repoTags.get(familiarName(r)) ?? []), r.tag]);
    } catch {
      // Not a reference: docker skips it too.
    }
  }
  for (const d of i.RepoDigests ?? []) {
    try {
      const r = parseNormalizedNamed(d);
      if (r.digest !== undefined) {
        repoDigests.set(familiarName(r), [...(repoDigests.get(familiarName(r)) ?? []), r.digest]);
      }
    } catch {
      // As above.
    }
  }
  const rows: Record<string, unknown>[] = [];
  for (const [repo, tags] of repoTags) {
    const ds = digests ? (repoDigests.get(repo) ?? []) : [];
    repoDigests.delete(repo);
    for (const tag of tags) {
      if (ds.length === 0) rows.push(row(repo, tag, "<none>"));
      else for (const d of ds) rows.push(row(repo, tag, d));
    }
  }
  for (const [repo, ds] of repoDigests) {
    if (digests) for (const d of ds) rows.push(row(repo, "<none>", d));
    else rows.push(row(repo, "<none>", ""));
  }
  return rows;
}

/** Go's time.Time String() in UTC: "2024-01-01 00:00:00 +0000 UTC". */
function goTimeString(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

const imageHeaders = {
  ID: "IMAGE ID",
  Repository: "REPOSITORY",
  Tag: "TAG",
  Digest: "DIGEST",
  CreatedSince: "CREATED",
  CreatedAt: "CREATED AT",
  Size: "SIZE",
  VirtualSize: "VIRTUAL SIZE",
  SharedSize: "SHARED SIZE",
  UniqueSize: "UNIQUE SIZE",
  Containers: "CONTAINERS",
  Labels: "LABELS",
};

export function renderImageTable(
  images: ImageSummaryWire[],
  opts: { format?: string; digests: boolean; trunc: boolean; quiet: boolean; defaultTable?: string },
): string {
  const defaultTable =
    opts.defaultTable ??
    (opts.digests
      ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
      : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}");
  return renderRows({
    format: opts.format,
    defaultTable,
    headers: imageHeaders,
    rows: images.flatMap((i) =>
      imageRows(i, opts.digests || (opts.format ?? "").includes(".Digest"), opts.trunc),
    ),
    quiet: opts.quiet,
    typeName: "*formatter.imageContext",
  });
}

export const list: CommandSpec = {
  path: ["image", "ls"],
  aliases: [["images"], ["image", "list"]],
  usage: "image ls [OPTIONS] [REPOSITORY[:TAG]]",
  description: "List images",
  flags: [
    {
      name: "all",
      short: "a",
      kind: "bool",
      description: "Show all images (default hides intermediate images)",
    },
    { name: "digests", kind: "bool", description: "Show digests" },
    filterFlag,
    formatFlag("Format output using a custom template"),
    { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
    { name: "quiet", short: "q", kind: "bool", description: "Only show image IDs" },
  ],
  args: { min: 0, max: 1 },
  async run(ctx, args) {
    const filters = parseFilterFlags(args.lists.get("filter") ?? []);
    const repo = args.positionals[0];
    if (repo !== undefined) (filters.reference ??= []).push(repo);
    const images = await ctx.client.images.list({ all: args.bools.get("all") === true, filters });
    ctx.stdout.write(
      renderImageTable(images, {
        format: args.strings.get("format"),
        digests: args.bools.get("digests") === true,
        trunc: args.bools.get("no-trunc") !== true,
        quiet: args.bools.get("quiet") === true,
      }),
    );
    return 0;
  },
};

export const inspect: CommandSpec = {
  path: ["image", "inspect"],
  usage: "image inspect [OPTIONS] IMAGE [IMAGE...]",
  description: "Display detailed information on one or more images",
  flags: [inspectFormatFlag],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    return inspectAll(ctx, args.positionals, args.strings.get("format"), (name) =>
      ctx.client.images.inspect(name),
    );
  },
};

export const history: CommandSpec = {
  path: ["image", "history"],
  aliases: [["history"]],
  usage: "image history [OPTIONS] IMAGE",
  description: "Show the history of an image",
  flags: [
    formatFlag("Format output using a custom template"),
    {
      name: "human",
      short: "H",
      kind: "bool",
      default: true,
      description: "Print sizes and dates in human readable format",
      showDefault: "true",
    },
    { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
    { name: "quiet", short: "q", kind: "bool", description: "Only show image IDs" },
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const human = args.bools.get("human") !== false;
    const trunc = args.bools.get("no-trunc") !== true;
    const items = await ctx.client.images.history(args.positionals[0]!);
    const rows = items.map((h) => ({
      ID: trunc && h.Id !== "<missing>" ? shortImageId(h.Id) : h.Id,
      CreatedSince: () =>
        human ? timeAgo(h.Created * 1000) : new Date(h.Created * 1000).toISOString().replace(".000Z", "Z"),
      CreatedAt: () => new Date(h.Created * 1000).toISOString().replace(".000Z", "Z"),
      CreatedBy: () => {
        const by = h.CreatedBy.replace(/\t/g, " ");
        return trunc ? ellipsis(by, 45) : by;
      },
      Size: () => (human ? humanSize(h.Size, 3) : String(h.Size)),
      Comment: h.Comment,
    }));
    ctx.stdout.write(
      renderRows({
        format: args.strings.get("format"),
        defaultTable: "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
        headers: {
          ID: "IMAGE",
          CreatedSince: "CREATED",
          CreatedAt: "CREATED AT",
          CreatedBy: "CREATED BY",
          Size: "SIZE",
          Comment: "COMMENT",
        },
        rows,
        quiet: args.bools.get("quiet") === true,
        typeName: "*formatter.historyContext",
      }),
    );
    return 0;
  },
};

export const tag: CommandSpec = {
  path: ["image", "tag"],
  aliases: [["tag"]],
  usage: "image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
  description: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
  flags: [],
  args: { min: 2, max: 2 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const [source, target] = args.positionals as [string, string];
    try {
      parseAnyReference(source);
    } catch (err) {
      throw new CliError(
        `Error parsing reference: "${source}" is not a valid repository/tag: ${(err as Error).message}`,
      );
    }
    let ref;
    try {
      ref = parseNormalizedNamed(target);
    } catch (err) {
      throw new CliError(
        `Error parsing reference: "${target}" is not a valid repository/tag: ${(err as Error).message}`,
      );
    }
    if (ref.digest !== undefined) throw new CliError("refusing to create a tag with a digest reference");
    const full = withDefaultTag(ref);
    await ctx.client.images.tag(source, repoName(full), full.tag);
    return 0;
  },
};

export const remove: CommandSpec = {
  path: ["image", "rm"],
  aliases: [["rmi"], ["image", "remove"]],
  usage: "image rm [OPTIONS] IMAGE [IMAGE...]",
  description: "Remove one or more images",
  flags: [
    { name: "force", short: "f", kind: "bool", description: "Force removal of the image" },
    { name: "no-prune", kind: "bool", description: "Do not delete untagged parents" },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    const force = args.bools.get("force") === true;
    const errors: string[] = [];
    let fatal = false;
    for (const name of args.positionals) {
      try {
        const items = await ctx.client.images.remove(name, {
          force,
          noPrune: args.bools.get("no-prune") === true,
        });
        for (const d of items) {
          ctx.stdout.write(d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged ?? ""}\n`);
        }
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.kind !== "not-found") fatal = true;
        errors.push(`Error response from daemon: ${err.message}`);
      }
    }
    if (errors.length > 0) {
      if (!force || fatal) throw new CliError(errors.join("\n"));
      ctx.stderr.write(errors.join("\n") + "\n");
    }
    return 0;
  },
};

const allImageWarning = `WARNING! This will remove all images without at least one container associated to them.
Are you sure you want to continue?`;
const danglingWarning = `WARNING! This will remove all dangling images.
Are you sure you want to continue?`;

/** docker's command.PromptForConfirmation: "[y/N] ", yes only for y/Y. */
export async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  ctx.stdout.write(`${message} [y/N] `);
  const line = await readLine(ctx.stdin);
  return line.trim() === "y" || line.trim() === "Y";
}

/** The --filter and -f/--force flags of every prune command; `filterExample` is docker's hint. */
export function pruneFlags(filterExample = "until=<timestamp>"): FlagSpec[] {
  return [
    {
      name: "filter",
      kind: "list",
      description: `Provide filter values (e.g. "${filterExample}")`,
      valueName: "filter",
    },
    { name: "force", short: "f", kind: "bool", description: "Do not prompt for confirmation" },
  ];
}

/** A prune's go-ahead: -f/--force, or a yes to docker's warning. */
export async function pruneConfirmed(ctx: CliContext, args: ParsedArgs, warning: string): Promise<boolean> {
  return args.bools.get("force") === true || (await confirm(ctx, warning));
}

async function readLine(stdin: NodeJS.ReadableStream): Promise<string> {
  let buf = "";
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    buf += chunk.toString();
    const nl = buf.indexOf("\n");
    if (nl >= 0) return buf.slice(0, nl);
  }
  return buf;
}

export const prune: CommandSpec = {
  path: ["image", "prune"],
  usage: "image prune [OPTIONS]",
  description: "Remove unused images",
  flags: [
    {
      name: "all",
      short: "a",
      kind: "bool",
      description: "Remove all unused images, not just dangling ones",
    },
    ...pruneFlags(),
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const filters = parseFilterFlags(args.lists.get("filter") ?? []);
    const all = args.bools.get("all") === true;
    filters.dangling = [all ? "false" : "true"];
    if (!(await pruneConfirmed(ctx, args, all ? allImageWarning : danglingWarning))) return 0;
    const report = await ctx.client.images.prune(filters);
    let out = "";
    if (report.ImagesDeleted && report.ImagesDeleted.length > 0) {
      out += "Deleted Images:\n";
      for (const d of report.ImagesDeleted) {
        out += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted ?? ""}\n`;
      }
      out += "\n";
    }
    out += `Total reclaimed space: ${humanSize(report.SpaceReclaimed, 4)}\n`;
    ctx.stdout.write(out);
    return 0;
  },
};
