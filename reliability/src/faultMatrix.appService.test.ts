import { describeEmulatorFaultMatrix } from "./support/emulatorFaultMatrix.js";

// A file (so a process) of its own: MSAL fixes the managed-identity source once per process.
describeEmulatorFaultMatrix("app-service");
