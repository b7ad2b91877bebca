import { basename } from 'node:path';
import { InvalidInputError } from './cli-errors';
import { readInputFile } from './command-helpers';
import { findSecrets, type SecretFinding } from './secret-scan';

/*
 * `snapshot --section FILE`: the operator's own Markdown (infrastructure to check, the open TODOs,
 * contacts) included in the ops snapshot as written. The only change is to heading levels outside
 * code blocks, shifted so the file's first heading sits at the document's section level (`##`) and its
 * sub-headings below it; a `# comment` inside a fenced shell block is never touched.
 */

/** An included file, ready to render. */
export interface OperatorSection {
  /** The path as the operator gave it. */
  readonly file: string;
  /** Text of the file's first heading (the file name when it has none). */
  readonly heading: string;
  /** The rest of the file, headings shifted below `heading`. */
  readonly body: string;
  /** Lines that look like secrets, included anyway because of `--allow-secrets`. */
  readonly secrets: readonly SecretFinding[];
}

const HEADING = /^ {0,3}(#{1,6})([ \t]+.*?)?[ \t]*#*[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Parses a section file's text; throws `InvalidInputError` naming the line of a secret unless allowed. */
export function parseOperatorSection(file: string, text: string, allowSecrets: boolean): OperatorSection {
  const secrets = findSecrets(text);
  const first = secrets[0];
  if (first !== undefined && !allowSecrets) {
    throw new InvalidInputError(
      `--section ${file}: line ${first.line} looks like it holds a secret (${first.kind}); ` +
        'remove it (name where the secret lives instead), or pass --allow-secrets to include the file anyway',
    );
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let fence: string | undefined;
  let shift: number | undefined;
  let heading: string | undefined;
  const body: string[] = [];
  for (const line of lines) {
    const open = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (open !== undefined && open[0] === fence[0] && open.length >= fence.length) fence = undefined;
      body.push(line);
      continue;
    }
    if (open !== undefined) {
      fence = open;
      body.push(line);
      continue;
    }
    const match = HEADING.exec(line);
    if (match === null) {
      body.push(line);
      continue;
    }
    const level = match[1]?.length ?? 1;
    const title = (match[2] ?? '').trim();
    if (heading === undefined) {
      heading = title;
      shift = 2 - level;
      continue;
    }
    body.push(`${'#'.repeat(Math.min(6, Math.max(3, level + (shift ?? 0))))} ${title}`);
  }
  while (body.length > 0 && body[0]?.trim() === '') body.shift();
  while (body.length > 0 && body.at(-1)?.trim() === '') body.pop();
  if (fence !== undefined) body.push(fence);
  return {
    file,
    heading: heading || basename(file),
    body: body.join('\n'),
    secrets,
  };
}

/** Reads and parses every `--section` file, in order. */
export async function readOperatorSections(
  files: readonly string[],
  cwd: string,
  allowSecrets: boolean,
): Promise<OperatorSection[]> {
  const sections: OperatorSection[] = [];
  for (const file of files) {
    sections.push(parseOperatorSection(file, await readInputFile(file, cwd), allowSecrets));
  }
  return sections;
}
