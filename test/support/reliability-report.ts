import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of docs/reliability.md: what a test tried, in figures, and what it found. */
export interface ReliabilityRow {
  check: string;
  tried: string;
  result: string;
}

/**
 * Writes a section of the reliability report from a test's own figures (test-output/reliability/<section>.json,
 * with the database the run used); `npm run reliability-report` turns the files into docs/reliability.md.
 */
export function recordReliability(section: string, rows: ReliabilityRow[]): void {
  const directory = join(process.cwd(), 'test-output', 'reliability');
  mkdirSync(directory, { recursive: true });
  const database = process.env.DATABASE_URL ? 'postgres' : 'embedded';
  const file = join(directory, `${section}.${database}.json`);
  writeFileSync(file, JSON.stringify({ section, database, recordedAt: new Date().toISOString(), rows }, null, 2));
}
