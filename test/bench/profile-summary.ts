import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * `node dist/test/bench/profile-summary.js <file.cpuprofile> [top]`: where a profile written by `--profile` spent
 * its time, by function (self time) and by package or source folder, so a regression can be read without DevTools.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topText] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const top = Number(topText ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((sum, n) => sum + n, 0);

const where = (url: string): string => {
  if (!url) return '(native)';
  const path = url.replace('file://', '');
  const nodeModules = path.lastIndexOf('node_modules/');
  if (nodeModules >= 0) {
    const parts = path.slice(nodeModules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return path.startsWith('node:') ? 'node' : relative(process.cwd(), path).split('/').slice(0, 4).join('/');
};

const functions = new Map<string, number>();
const places = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const { functionName, url, lineNumber } = byId.get(id)?.callFrame ?? { functionName: '?', url: '', lineNumber: 0 };
  const key = `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + micros);
  places.set(where(url), (places.get(where(url)) ?? 0) + micros);
}
const print = (title: string, map: Map<string, number>): void => {
  process.stdout.write(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled)\n`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
  }
};
print('self time by package or folder', places);
print('self time by function', functions);
