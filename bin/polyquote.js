#!/usr/bin/env node
// Runs the TypeScript CLI in this very process (tsx's loader API): no wrapper process that a
// SIGKILL would orphan the engine behind, and the project's tsconfig (decorators) whatever the cwd.
import { register } from 'tsx/esm/api';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
register({ tsconfig: path.join(root, 'tsconfig.json') });
await import(pathToFileURL(path.join(root, 'cli', 'main.ts')).href);
