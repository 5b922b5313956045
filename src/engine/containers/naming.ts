/**
 * Container names: Docker's random `adjective_surname` names and the rule a
 * user-chosen name must follow.
 */
import { randomInt } from "node:crypto";
import { invalid } from "../errors.js";
import { adjectives, surnames } from "./names.js";

const pick = (words: readonly string[]): string => words[randomInt(words.length)] ?? "";

/**
 * A random name; with `retry` > 0 a digit is appended, as Docker does after a
 * collision. Steve Wozniak is not boring, so "boring_wozniak" is never used.
 */
export function randomName(retry = 0, rand: (words: readonly string[]) => string = pick): string {
  for (;;) {
    const name = `${rand(adjectives)}_${rand(surnames)}`;
    if (name === "boring_wozniak") continue;
    return retry > 0 ? `${name}${randomInt(10)}` : name;
  }
}

const validName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Strips the wire's leading "/" and checks Docker's name rule. */
export function parseContainerName(input: string): string {
  const name = input.startsWith("/") ? input.slice(1) : input;
  if (!validName.test(name)) {
    throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name;
}
