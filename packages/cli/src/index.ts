export { askOnce } from "./askOnce.js";
export { formatDoctorReport } from "./formatDoctorReport.js";
export { humanDuration } from "./humanDuration.js";
export { main, USAGE } from "./main.js";
export { type ProbeOptions, type ProbeResult, probeProvider } from "./probeProvider.js";
export { type DemoOptions, runDemo } from "./runDemo.js";
export { DEFAULT_MODULES, type DoctorOptions, type DoctorReport, runDoctor } from "./runDoctor.js";
