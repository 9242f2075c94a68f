/** The lines of the project's TypeScript sources, for tests that hold the code to a rule. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** `file:line: text` of every line under `dir` (relative to the project) matching one of `patterns`. */
export function linesMatching(
  dir: string,
  patterns: readonly RegExp[],
  skip: (file: string) => boolean = () => false,
): string[] {
  const found: string[] = [];
  for (const file of sources(join(ROOT, dir))) {
    if (skip(relative(ROOT, file))) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (patterns.some((re) => re.test(line))) found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}
