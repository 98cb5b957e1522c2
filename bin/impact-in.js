#!/usr/bin/env node
// impact-in's CLI. The sources are TypeScript run by Node 24's type stripping: no build step.
import '../src/cli/main.ts';
