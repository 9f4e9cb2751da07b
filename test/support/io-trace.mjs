/**
 * Preload (`node --import`) that counts, per run of hsm, how often each file of one project is read and parsed:
 * reads by wrapping node:fs (any code path, before or after a refactor), parses through the core's test hook
 * (`noteParse` → globalThis.__hsmParseProbe). Writes `{ reads: {file: n}, parses: {file: n} }` to
 * $HSM_TRACE_LOG on exit. Only for tests (test/cli/read-counts.test.ts).
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

const dir = process.env.HSM_TRACE_DIR && fs.realpathSync(process.env.HSM_TRACE_DIR);
const log = process.env.HSM_TRACE_LOG;
const reads = {};
const parses = {};
const bump = (table, key) => (table[key] = (table[key] ?? 0) + 1);
const noteRead = (p) => {
  if (typeof p !== 'string' && !(p instanceof URL)) return;
  const abs = path.resolve(String(p instanceof URL ? p.pathname : p));
  if (dir && abs.startsWith(dir + path.sep)) bump(reads, path.relative(dir, abs));
};

const { readFileSync, readFile } = fs;
fs.readFileSync = function (p, ...rest) {
  noteRead(p);
  return readFileSync.call(this, p, ...rest);
};
fs.readFile = function (p, ...rest) {
  noteRead(p);
  return readFile.call(this, p, ...rest);
};
const promises = fs.promises;
const pReadFile = promises.readFile;
promises.readFile = function (p, ...rest) {
  if (typeof p === 'string' || p instanceof URL) noteRead(p);
  return pReadFile.call(this, p, ...rest);
};
// a read through a file handle counts once, at the open for reading (also when the file turns out absent,
// like a readFile that fails with ENOENT): an attempt to look at the file is what is counted
const pOpen = promises.open;
promises.open = function (p, flags, ...rest) {
  const f = flags ?? 'r';
  const forReading = typeof f === 'number' ? (f & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_DIRECTORY)) === 0 : f === 'r';
  if (forReading) noteRead(p);
  return pOpen.call(this, p, flags, ...rest);
};
syncBuiltinESMExports();

globalThis.__hsmParseProbe = (file) => bump(parses, file);
process.on('exit', () => {
  if (log) fs.writeFileSync(log, JSON.stringify({ reads, parses }));
});
