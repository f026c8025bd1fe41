export default async function globalTeardown(): Promise<void> {
  await globalThis.__temporalTestEnv?.teardown();
  globalThis.__temporalTestEnv = undefined;
}
