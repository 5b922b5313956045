/**
 * berth: global options, command lookup (management and classic forms),
 * flag parsing, and docker's exit codes and error texts.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { ApiError, ConnectionError, EngineClient } from "../client/index.js";
import { parseArgs, UsageError } from "./args.js";
import { findCommand, groups, loadAllCommands } from "./commands/index.js";
import { CliError, ExitStatus, type CliContext } from "./context.js";
import { defaultSocket, ensureDefaultDaemon } from "./daemonAutostart.js";
import { cliName, commandHelp, groupHelp, topHelp } from "./help.js";
import type { CommandSpec } from "./spec.js";

interface Globals {
  host?: string;
  configDir?: string;
  debug: boolean;
  version: boolean;
  help: boolean;
}

function parseGlobals(argv: readonly string[]): { globals: Globals; rest: string[] } {
  const g: Globals = { debug: false, version: false, help: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith("--") && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`flag needs an argument: ${name}`);
      return v;
    };
    if (name === "-H" || name === "--host") g.host = value();
    else if (a.startsWith("-H") && a.length > 2) g.host = a.slice(2);
    else if (name === "--config") g.configDir = value();
    else if (name === "-l" || name === "--log-level") value();
    else if (name === "-D" || name === "--debug") g.debug = true;
    else if (name === "-v" || name === "--version") g.version = true;
    else if (name === "-h" || name === "--help") g.help = true;
    else if (a.startsWith("-")) throw new UsageError(`unknown flag: ${name}`);
    else break;
  }
  return { globals: g, rest: argv.slice(i) };
}

export async function cli(
  argv: readonly string[],
  streams: Pick<CliContext, "stdout" | "stderr" | "stdin">,
): Promise<number> {
  const { stdout, stderr } = streams;
  let globals: Globals;
  let rest: string[];
  try {
    ({ globals, rest } = parseGlobals(argv));
  } catch (err) {
    stderr.write(
      `${(err as Error).message}\n\nUsage:  ${cliName} [OPTIONS] COMMAND [ARG...]\n\nRun '${cliName} --help' for more information\n`,
    );
    return 125;
  }
  if (globals.version) rest = ["version"];
  if (rest.length === 0) {
    stdout.write(topHelp(groups, await loadAllCommands()));
    return 0;
  }
  const found = await findCommand(rest);
  if (found === undefined) {
    const group = groups.find((g) => g.name === rest[0]);
    if (group !== undefined) {
      if (rest.length > 1 && !rest[1]!.startsWith("-")) {
        stderr.write(
          `${cliName}: unknown command: ${cliName} ${rest[0]} ${rest[1]}\n\nUsage:  ${cliName} ${rest[0]}\n\nRun '${cliName} ${rest[0]} --help' for more information\n`,
        );
        return 1;
      }
      stdout.write(groupHelp(group.name, group.description, await loadAllCommands()));
      return 0;
    }
    stderr.write(
      `${cliName}: unknown command: ${cliName} ${rest[0]}\n\nRun '${cliName} --help' for more information\n`,
    );
    return 1;
  }
  const { spec: canonical, used } = found;
  const name = `${cliName} ${rest.slice(0, used).join(" ")}`;
  // Help and usage errors name the command as the user typed it (`images`, not `image ls`).
  const spec = { ...canonical, usage: usageAs(canonical, rest.slice(0, used)) };
  let args;
  try {
    args = parseArgs(spec, rest.slice(used));
  } catch (err) {
    if (err instanceof UsageError) {
      stderr.write(usageErrorText(err.message, name, spec));
      return 125;
    }
    throw err;
  }
  if (args.bools.get("help") === true || globals.help) {
    stdout.write(commandHelp(spec));
    return 0;
  }
  const problem = argCountProblem(spec, args.positionals.length);
  if (problem !== undefined) {
    // docker 28's wording: "See" after "at least", "Run" for the other counts.
    const verb = spec.args.max >= Number.MAX_SAFE_INTEGER ? "See" : "Run";
    stderr.write(
      `${cliName}: '${name}' ${problem}\n\nUsage:  ${cliName} ${spec.usage}\n\n${verb} '${name} --help' for more information\n`,
    );
    return 1;
  }
  const host = globals.host ?? process.env.BERTH_HOST ?? `unix://${defaultSocket}`;
  if (host === `unix://${defaultSocket}` && spec.local !== true) {
    const problem = await ensureDefaultDaemon();
    if (problem) stderr.write(`${problem}\n`);
  }
  const ctx: CliContext = {
    ...streams,
    client: EngineClient.forHost(host),
    host,
    configDir: globals.configDir ?? process.env.BERTH_CONFIG ?? join(homedir(), ".berth"),
  };
  try {
    return await spec.run(ctx, args);
  } catch (err) {
    if (err instanceof ExitStatus) return err.exitCode;
    if (err instanceof CliError) {
      if (err.message) stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ApiError) {
      stderr.write(`Error response from daemon: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ConnectionError) {
      stderr.write(`${err.message}\n`);
      return 1;
    }
    if (err instanceof UsageError) {
      stderr.write(usageErrorText(err.message, name, spec));
      return 125;
    }
    throw err;
  }
}

function usageAs(spec: CommandSpec, typed: string[]): string {
  for (const path of [spec.path, ...(spec.aliases ?? [])]) {
    const words = path.join(" ");
    if (spec.usage === words || spec.usage.startsWith(words + " ")) {
      return typed.join(" ") + spec.usage.slice(words.length);
    }
  }
  return spec.usage;
}

function usageErrorText(message: string, name: string, spec: CommandSpec): string {
  return `${message}\n\nUsage:  ${cliName} ${spec.usage}\n\nRun '${name} --help' for more information\n`;
}

/** docker/cli's required.go checks, in its words; undefined when the count is fine. */
function argCountProblem(spec: CommandSpec, n: number): string | undefined {
  const { min, max } = spec.args;
  if (n >= min && n <= max) return undefined;
  const plural = (k: number) => `${k} argument${k === 1 ? "" : "s"}`;
  if (max === 0) return "accepts no arguments";
  if (max >= Number.MAX_SAFE_INTEGER) return `requires at least ${plural(min)}`;
  if (min === max) return `requires ${plural(min)}`;
  if (min === 0) return `requires at most ${plural(max)}`;
  return `requires at least ${min} and at most ${plural(max)}`;
}

export function runCli(argv: readonly string[]): void {
  cli(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
    (code) => {
      process.exitCode = code;
      // Let stdout drain, then leave even if a stream or socket keeps the loop alive.
      process.stdout.write("", () => process.exit(code));
    },
    (err: unknown) => {
      process.stderr.write(`${cliName}: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
