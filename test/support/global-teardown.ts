export default async function globalTeardown(): Promise<void> {
  const emulators = globalThis.__awsEmulators;
  globalThis.__awsEmulators = undefined;
  await emulators?.stop();
}
