import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

const DEPLOY_DOC = resolve(import.meta.dirname, "../../../../docs/deploy.md");

/** The fenced block of docs/deploy.md whose opening line is exactly "```<opening>", as written. */
export async function documentedBlock(opening: string): Promise<string> {
  const text = await readFile(DEPLOY_DOC, "utf8");
  const start = text.indexOf(`\`\`\`${opening}\n`);
  if (start === -1) throw new Error(`docs/deploy.md has no block opening with \`\`\`${opening}`);
  const body = text.slice(start + opening.length + 4);
  return body.slice(0, body.indexOf("```"));
}

/** Swaps each documented value for the test's; every one must be there, so the doc cannot drift silently. */
export function localize(block: string, swaps: Array<[documented: string, local: string]>): string {
  return swaps.reduce((text, [documented, local]) => {
    if (!text.includes(documented))
      throw new Error(`the documented block no longer contains ${JSON.stringify(documented)}`);
    return text.split(documented).join(local);
  }, block);
}
