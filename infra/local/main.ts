/**
 * `npm start`: the integration on this machine. With no tenant configured it runs the demo (simulators of
 * BaseLinker and Ongoing, seeded); with the single-tenant environment variables or TENANTS_FILE it talks to
 * those endpoints. State and labels stay under DATA_DIR (default .data) between runs.
 */
import './local-env';
import { ConfigError, loadRuntime } from '../../shared/config';
import { DataDirInUseError } from '../emulators';
import { PortError, startLocalHost } from './host';

async function main(): Promise<void> {
  const { dataDir } = loadRuntime();
  let host;
  try {
    host = await startLocalHost({ dataDir });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirInUseError || err instanceof PortError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log('stopping at once');
      process.exit(130);
    }
    stopping = true;
    console.log(`${signal}: finishing the runs in flight, then stopping (Ctrl-C again to stop at once)`);
    host.stop().then(
      () => {
        console.log(`stopped. State and labels are kept in ${host.state.dataDir}; npm start continues from them.`);
        process.exit(0);
      },
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // npm passes a signal to the shell it ran the script in, and a shell may die without passing it on (dash
  // does): the host would run on, orphaned. A new parent process means the one that started us is gone.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    // Ctrl-C reaches the shell too: a stop already under way is not a second Ctrl-C.
    if (!stopping) stop('npm stopped');
  }, 500);
  watch.unref();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
