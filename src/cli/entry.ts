/** The berth process entry point. */
import { runCli } from "./main.js";

runCli(process.argv.slice(2));
