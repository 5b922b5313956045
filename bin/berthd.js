#!/usr/bin/env node
import "../dist/src/daemon/entry.js";
