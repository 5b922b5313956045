/**
 * A container's state as a discriminated union on `status`, and the one table
 * of allowed transitions. Each variant holds only what it needs (`pid` only
 * while a process exists). Times are RFC 3339 strings, as Docker reports them.
 * api/ derives Docker's Running/Paused/Restarting/Dead booleans from `status`.
 */
import { conflict } from "../errors.js";

/** What a stopped container remembers of its last run. */
export interface LastRun {
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  oomKilled: boolean;
  /** Why the start failed, or "". */
  error: string;
}

export type ContainerState =
  /** `exitCode`: of a start that failed (dockerd keeps such a container "created"). */
  | { status: "created"; error: string; exitCode?: number }
  | { status: "running"; pid: number; startedAt: string; last?: LastRun }
  | { status: "paused"; pid: number; startedAt: string; last?: LastRun }
  | { status: "restarting"; last: LastRun }
  | { status: "exited"; last: LastRun }
  | { status: "removing"; before: Exclude<ContainerState, { status: "removing" }> }
  | { status: "dead"; last?: LastRun };

export type ContainerStatus = ContainerState["status"];

export type StateEvent =
  | { type: "started"; pid: number; at: string }
  | { type: "start-failed"; error: string; exitCode: number; at: string }
  | { type: "exited"; exitCode: number; oomKilled: boolean; at: string }
  | { type: "paused" }
  | { type: "unpaused" }
  /** A restart policy will start it again after a delay. */
  | { type: "restarting" }
  /** The pending restart was dropped (stop, kill, daemon restart): it stays exited. */
  | { type: "restart-cancelled" }
  | { type: "remove" }
  /** Removal failed half-way: the container cannot be used any more. */
  | { type: "remove-failed" };

type EventOf<T extends StateEvent["type"]> = Extract<StateEvent, { type: T }>;
type StateOf<S extends ContainerStatus> = Extract<ContainerState, { status: S }>;

type Rules = {
  [S in ContainerStatus]: {
    [E in StateEvent["type"]]?: (state: StateOf<S>, event: EventOf<E>) => ContainerState;
  };
};

const zeroTime = "0001-01-01T00:00:00Z";

function lastRunOf(state: ContainerState): LastRun | undefined {
  switch (state.status) {
    case "created":
      return undefined;
    case "running":
    case "paused":
    case "dead":
      return state.last;
    case "restarting":
    case "exited":
      return state.last;
    case "removing":
      return lastRunOf(state.before);
  }
}

const exited = (startedAt: string, e: EventOf<"exited">): ContainerState => ({
  status: "exited",
  last: { startedAt, finishedAt: e.at, exitCode: e.exitCode, oomKilled: e.oomKilled, error: "" },
});

const startFailed = (s: ContainerState, e: EventOf<"start-failed">): ContainerState => ({
  status: "exited",
  last: {
    startedAt: lastRunOf(s)?.startedAt ?? zeroTime,
    finishedAt: e.at,
    exitCode: e.exitCode,
    oomKilled: false,
    error: e.error,
  },
});

const started = (s: ContainerState, e: EventOf<"started">): ContainerState => {
  const last = lastRunOf(s);
  return last === undefined
    ? { status: "running", pid: e.pid, startedAt: e.at }
    : { status: "running", pid: e.pid, startedAt: e.at, last: { ...last, error: "" } };
};

const removing = (s: Exclude<ContainerState, { status: "removing" }>): ContainerState => ({
  status: "removing",
  before: s,
});

/** The whole state machine: a missing entry is a refused transition. */
const rules: Rules = {
  created: {
    started,
    // It never ran: still created, with the start's error and exit code, as in dockerd.
    "start-failed": (_s, e) => ({ status: "created", error: e.error, exitCode: e.exitCode }),
    remove: removing,
  },
  running: {
    exited: (s, e) => exited(s.startedAt, e),
    paused: (s) => ({ ...s, status: "paused" }),
  },
  paused: {
    unpaused: (s) => ({ ...s, status: "running" }),
    // A paused container can still die (killed, OOM): the process is gone either way.
    exited: (s, e) => exited(s.startedAt, e),
  },
  restarting: {
    started,
    "start-failed": startFailed,
    "restart-cancelled": (s) => ({ status: "exited", last: s.last }),
    remove: removing,
  },
  exited: {
    started,
    "start-failed": startFailed,
    restarting: (s) => ({ status: "restarting", last: s.last }),
    remove: removing,
  },
  removing: {
    "remove-failed": (s) => {
      const last = lastRunOf(s);
      return last === undefined ? { status: "dead" } : { status: "dead", last };
    },
  },
  dead: {
    remove: removing,
  },
};

/** Applies one event; refuses transitions the table does not list. */
export function transition(state: ContainerState, event: StateEvent): ContainerState {
  const table = rules[state.status] as Record<
    string,
    ((s: ContainerState, e: StateEvent) => ContainerState) | undefined
  >;
  const rule = table[event.type];
  if (rule === undefined) throw conflict(`cannot apply ${event.type} to a container that is ${state.status}`);
  return rule(state, event);
}

export function canTransition(state: ContainerState, type: StateEvent["type"]): boolean {
  return (rules[state.status] as Record<string, unknown>)[type] !== undefined;
}

/** Docker's State fields, derived from the variant. */
export interface StateView {
  status: ContainerStatus;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  dead: boolean;
  oomKilled: boolean;
  pid: number;
  exitCode: number;
  error: string;
  startedAt: string;
  finishedAt: string;
}

export function viewState(state: ContainerState): StateView {
  const last = lastRunOf(state);
  const base: StateView = {
    status: state.status,
    running: false,
    paused: false,
    restarting: false,
    dead: false,
    oomKilled: last?.oomKilled ?? false,
    pid: 0,
    exitCode: last?.exitCode ?? 0,
    error: last?.error ?? "",
    startedAt: last?.startedAt ?? zeroTime,
    finishedAt: last?.finishedAt ?? zeroTime,
  };
  switch (state.status) {
    case "created":
      return { ...base, error: state.error, exitCode: state.exitCode ?? 0 };
    case "running":
    case "paused":
      return {
        ...base,
        running: true,
        paused: state.status === "paused",
        pid: state.pid,
        startedAt: state.startedAt,
        exitCode: 0,
        oomKilled: false,
        error: "",
      };
    case "restarting":
      return { ...base, running: true, restarting: true };
    case "exited":
      return base;
    case "removing":
      return { ...viewState(state.before), status: "removing" };
    case "dead":
      return { ...base, dead: true };
  }
}

/** The pid of the container's process, if it has one. */
export function pidOf(state: ContainerState): number | undefined {
  return state.status === "running" || state.status === "paused" ? state.pid : undefined;
}

export const isActive = (s: ContainerState): boolean =>
  s.status === "running" || s.status === "paused" || s.status === "restarting";
