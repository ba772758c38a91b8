export { askOnce } from "./askOnce.js";
export { DEFAULT_MODULES } from "./defaultModules.js";
export { formatDoctorReport } from "./formatDoctorReport.js";
export { humanDuration } from "./humanDuration.js";
export { type MainContext, main, USAGE } from "./main.js";
export type { Output } from "./Output.js";
export { type ProbeOptions, type ProbeResult, probeProvider } from "./probeProvider.js";
export { type DemoOptions, runDemo } from "./runDemo.js";
export { type CredentialDelivery, type DoctorOptions, type DoctorReport, runDoctor } from "./runDoctor.js";
