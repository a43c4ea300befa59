/**
 * Where the test fixtures live, inside the repository: a plain clone has nothing beside it, so no test reads
 * outside its own tree. test/fixtures/cloudtrail holds the public CloudTrail samples, copied unchanged with the
 * READMEs that name their sources.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'test/fixtures');
export const cloudTrailSamplesDir = path.join(fixturesDir, 'cloudtrail');
