#!/usr/bin/env node
// godwit.js: the `godwit` command of the npm package. The binary itself is
// in the platform package npm installed as an optional dependency (only
// the one whose os and cpu fields match); this runs it with the same
// arguments, standard streams and environment, passes on the signals a
// deploy or a terminal sends (godwit stops a migration cleanly on them),
// and exits with its exit code.
'use strict';

const { spawn } = require('child_process');

const platforms = {
  'linux x64': '@godwit/linux-x64',
  'linux arm64': '@godwit/linux-arm64',
};

function fail(message) {
  process.stderr.write(`godwit: ${message}\n`);
  process.exit(1);
}

function binaryPath() {
  const key = `${process.platform} ${process.arch}`;
  const pkg = platforms[key];
  if (!pkg) {
    fail(`no godwit binary is published for ${key}; ` +
      `supported: ${Object.keys(platforms).join(', ')} (or build it from source)`);
  }
  try {
    return require.resolve(`${pkg}/bin/godwit`);
  } catch (e) {
    fail(`the package ${pkg}, which holds the binary, is not installed; ` +
      'npm installs it as an optional dependency of godwit: ' +
      'install again without --omit=optional or --no-optional');
  }
  return null;
}

const child = spawn(binaryPath(), process.argv.slice(2), { stdio: 'inherit' });
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const forward = (signal) => child.kill(signal);
for (const signal of signals) process.on(signal, forward);

child.on('error', (e) => fail(`cannot run ${child.spawnfile}: ${e.message}`));
child.on('exit', (code, signal) => {
  for (const s of signals) process.removeListener(s, forward);
  if (signal) {
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code);
});
