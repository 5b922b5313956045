/**
 * iptables executor: whole rule changes go through one `iptables-restore
 * --noflush` (atomic per table, one spawn), reads through `iptables-save`.
 * `-w` waits for the xtables lock instead of failing when another tool holds it.
 */
import { runCommand } from "./command.js";

export interface IptablesHost {
  /** Applies iptables-restore text without flushing the tables it names. */
  restore(text: string): Promise<void>;
  /** iptables-save output for one table. */
  save(table: "nat" | "filter"): Promise<string>;
}

const timeoutMs = 30_000;

export const realIptables: IptablesHost = {
  async restore(text) {
    await runCommand(["iptables-restore", "-w", "10", "--noflush"], { input: text, timeoutMs });
  },
  async save(table) {
    return (await runCommand(["iptables-save", "-t", table], { timeoutMs })).stdout;
  },
};
