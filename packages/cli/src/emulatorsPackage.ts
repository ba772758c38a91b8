/** What the CLI needs of `@copilot-byok/testing`: the emulators. */
export type EmulatorsPackage = Pick<typeof import("@copilot-byok/testing"), "startAzureEmulators">;

/** The package the emulators come from: loaded only by the commands that start them (`emulators`, `demo`). */
export const EMULATORS_PACKAGE = "@copilot-byok/testing";

/** `import()` of {@link EMULATORS_PACKAGE}: the CLI may be installed without it. */
export async function loadEmulatorsPackage(): Promise<EmulatorsPackage> {
  return import("@copilot-byok/testing");
}

/**
 * What `copilot-byok <command>` prints when an import failed because {@link EMULATORS_PACKAGE} is not
 * installed: what to install, or how to run without installing. Undefined for any other failure.
 */
export function missingEmulatorsPackage(command: string, error: unknown): string[] | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const missing =
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    error instanceof Error &&
    error.message.includes(EMULATORS_PACKAGE);
  if (!missing) return undefined;
  return [
    `copilot-byok ${command}: the emulators come from ${EMULATORS_PACKAGE}, which is not installed next to @copilot-byok/cli. Either:`,
    `  - install it where the CLI is: npm install --save-dev ${EMULATORS_PACKAGE}`,
    `  - or run both without installing: npx -p @copilot-byok/cli -p ${EMULATORS_PACKAGE} copilot-byok ${command}`,
  ];
}
