/** Signal names and numbers as Docker accepts them ("SIGTERM", "TERM", "15", "term"). */
import { invalid } from "../errors.js";

export const signalNumbers: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGIOT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** Parses a signal; "" means the default. Numbers 1..64 (real-time included) are accepted. */
export function parseSignal(input: string): number {
  const s = input.trim();
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    if (n < 1 || n > 64) throw invalid(`Invalid signal: ${input}`);
    return n;
  }
  const upper = s.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const rt = /^SIGRTMIN(?:\+([0-9]+))?$/.exec(name) ?? /^SIGRTMAX(?:-([0-9]+))?$/.exec(name);
  if (rt) {
    const off = Number(rt[1] ?? 0);
    const n = name.startsWith("SIGRTMIN") ? 34 + off : 64 - off;
    if (n >= 34 && n <= 64) return n;
  }
  const n = signalNumbers[name];
  if (n === undefined) throw invalid(`Invalid signal: ${input}`);
  return n;
}
