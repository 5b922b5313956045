/**
 * pull, and what pull and push share: the NAME argument, and the docker CLI's
 * jsonmessage rendering (or, with --quiet, only its errors): on a terminal every message carrying `progressDetail` owns a line per ID,
 * redrawn in place; elsewhere progress bars are dropped and the rest printed
 * line by line. `aux` messages go to a callback, never to the screen.
 */
import type { JsonMessageWire } from "../../api/types/images.js";
import {
  familiarName,
  parseNormalizedNamed,
  referenceString,
  type Reference,
} from "../../engine/images/reference.js";
import { CliError, type CliContext } from "../context.js";
import { humanSize } from "../format/index.js";
import type { CommandSpec } from "../spec.js";
import { credentialsFor } from "./login.js";

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** jsonmessage's JSONProgress.String(). */
export function progressText(d: { current?: number; total?: number }, columns: number): string {
  const current = d.current ?? 0;
  const total = d.total ?? 0;
  if (current <= 0 && total <= 0) return "";
  if (total <= 0) return humanSize(current, 4).padStart(8);
  const pct = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = columns > 110 ? `[${"=".repeat(pct)}>${" ".repeat(Math.max(0, 50 - pct))}] ` : "";
  const numbers =
    current > total
      ? humanSize(current, 4).padStart(8)
      : `${humanSize(current, 4).padStart(8)}/${humanSize(total, 4)}`;
  return bar + numbers;
}

/** The NAME of pull and push: a reference in docker's grammar, its parse error as the CLI's. */
export function parseNameArg(name: string): Reference {
  try {
    return parseNormalizedNamed(name);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** docker's default tag: a NAME with neither tag nor digest means `latest`, which is said unless quiet. */
export function withLatestTag(ctx: CliContext, ref: Reference, quiet: boolean): Reference {
  if (ref.tag !== undefined || ref.digest !== undefined) return ref;
  if (!quiet) ctx.stdout.write("Using default tag: latest\n");
  return { ...ref, tag: "latest" };
}

/** A message that reports the operation failed ends it with that message. */
function throwIfError(m: JsonMessageWire): void {
  if (m.error !== undefined || m.errorDetail !== undefined) {
    throw new CliError(m.errorDetail?.message ?? m.error ?? "unknown error");
  }
}

/** Reads the messages to the end without printing them (--quiet): only an error shows. */
export async function drainMessages(messages: AsyncIterable<JsonMessageWire>): Promise<void> {
  for await (const m of messages) throwIfError(m);
}

export async function displayMessages(
  messages: AsyncIterable<JsonMessageWire>,
  out: Out,
  onAux?: (aux: Record<string, unknown>) => void,
): Promise<void> {
  const tty = out.isTTY === true;
  const columns = out.columns ?? 80;
  let ids = new Map<string, number>();
  for await (const m of messages) {
    throwIfError(m);
    if (m.aux !== undefined) {
      onAux?.(m.aux);
      continue;
    }
    const hasProgress = m.progressDetail !== undefined;
    let diff = 0;
    if (m.id && hasProgress) {
      let line = ids.get(m.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(m.id, line);
        if (tty) out.write("\n");
      }
      diff = ids.size - line;
      if (tty) out.write(`\x1b[${diff}A`);
    } else ids = new Map();
    const bar = hasProgress ? progressText(m.progressDetail ?? {}, columns) : "";
    let text = "";
    let endl = "";
    if (tty && m.stream === undefined && hasProgress) {
      text += "\x1b[2K\r";
      endl = "\r";
    } else if (hasProgress && bar !== "") continue;
    if (m.id) text += `${m.id}: `;
    if (hasProgress && tty) text += `${m.status ?? ""} ${bar}${endl}`;
    else if (m.stream !== undefined) text += `${m.stream}${endl}`;
    else text += `${m.status ?? ""}${endl}\n`;
    out.write(text);
    if (m.id && hasProgress && tty) out.write(`\x1b[${diff}B`);
  }
}

export const pull: CommandSpec = {
  path: ["image", "pull"],
  aliases: [["pull"]],
  usage: "image pull [OPTIONS] NAME[:TAG|@DIGEST]",
  description: "Download an image from a registry",
  flags: [
    {
      name: "all-tags",
      short: "a",
      kind: "bool",
      description: "Download all tagged images in the repository",
    },
    {
      name: "disable-content-trust",
      kind: "bool",
      description: "Skip image verification",
      default: true,
      showDefault: "true",
    },
    {
      name: "platform",
      kind: "string",
      description: "Set platform if server is multi-platform capable",
      valueName: "string",
    },
    { name: "quiet", short: "q", kind: "bool", description: "Suppress verbose output" },
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const all = args.bools.get("all-tags") === true;
    const quiet = args.bools.get("quiet") === true;
    let ref = parseNameArg(args.positionals[0]!);
    if (all && (ref.tag !== undefined || ref.digest !== undefined))
      throw new CliError("tag can't be used with --all-tags/-a");
    if (!all) ref = withLatestTag(ctx, ref, quiet);
    const auth = await credentialsFor(ctx.configDir, ref.domain);
    const platform = args.strings.get("platform") ?? process.env.DOCKER_DEFAULT_PLATFORM ?? "";
    const messages = ctx.client.distribution.pull({
      image: familiarName(ref),
      tag: ref.digest ?? ref.tag ?? "",
      ...(platform !== "" ? { platform } : {}),
      ...(auth ? { auth } : {}),
    });
    if (quiet) await drainMessages(messages);
    else await displayMessages(messages, ctx.stdout);
    ctx.stdout.write(`${referenceString(ref)}\n`);
    return 0;
  },
};
