// Khronos glTF validator on one GLB: prints its JSON report (issues and info). Usage: node validate.mjs FILE.glb
import { readFileSync } from 'node:fs';
import validator from 'gltf-validator';

const file = process.argv[2];
const report = await validator.validateBytes(new Uint8Array(readFileSync(file)), { maxIssues: 200 });
process.stdout.write(JSON.stringify({ issues: report.issues, info: report.info }));
