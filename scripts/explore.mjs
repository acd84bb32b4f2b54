// `npm run test:explore [-- --cases N --families a,b --seed S --workers W]`: runs scripts/explore.ts under tsx (not part of npm test).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
const script = fileURLToPath(new URL('./explore.ts', import.meta.url));
const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
