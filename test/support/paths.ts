// Where the tests find the project and the contract's example clinic, wherever the checkout lives
// (the shared spec sits beside the repository: ../shared/spec).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const clinicSmallPath = path.resolve(repoRoot, '..', 'shared', 'spec', 'examples', 'clinic-small.json');
