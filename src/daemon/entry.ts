/** The berthd process entry point. */
import "./threadpool.js";
import { runMain } from "./main.js";

runMain(process.argv.slice(2));
