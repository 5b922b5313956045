#!/usr/bin/env node
import { runMain } from "../dist/src/daemon/main.js";

runMain(process.argv.slice(2));
