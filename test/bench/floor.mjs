// The floor: what Node.js itself costs to read the log set, one file after another: read, gunzip, JSON.parse,
// and nothing else. Prints {"records": N} so the bench can check it read everything.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const walk = async (directory) => {
  const entries = await readdir(directory, { withFileTypes: true });
  const files = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.name.endsWith('.json.gz')) files.push(full);
  }
  return files;
};

let records = 0;
for (const file of await walk(process.argv[2])) {
  records += JSON.parse(gunzipSync(await readFile(file)).toString('utf8')).Records.length;
}
process.stdout.write(`${JSON.stringify({ records })}\n`);
