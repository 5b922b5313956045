/** The berth process entry point. */
import { unescapeArgv } from "./argv.js";
import { runCli } from "./main.js";

runCli(unescapeArgv(process.argv.slice(2)));
