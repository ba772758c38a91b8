import type { DoctorReport } from "./runDoctor.js";

/** The doctor report as lines for a terminal. */
export function formatDoctorReport(report: DoctorReport): string[] {
  const lines: string[] = [];
  lines.push(`copilot-byok doctor: ${report.healthy ? "healthy" : "problems found"}`);
  lines.push("");
  lines.push(`mode: ${report.mode ?? "(none selected)"}`);
  for (const reason of report.reasons) lines.push(`  - ${reason}`);
  if (report.provider) {
    const p = report.provider;
    lines.push("");
    lines.push("provider:");
    lines.push(`  base URL: ${p.baseUrl ?? "(none)"}`);
    lines.push(`  type: ${p.type}, wire API: ${p.wireApi}`);
    lines.push(
      `  model: ${p.model ?? "(not set)"}${p.wireModel ? `, deployment (wire model): ${p.wireModel}` : ""}`,
    );
  }
  const s = report.source;
  if (s && report.mode === "static-key") {
    lines.push("");
    lines.push("static key:");
    for (const [k, v] of Object.entries(s)) {
      if (k !== "mode" && k !== "baseUrl" && v !== undefined) lines.push(`  ${k}: ${String(v)}`);
    }
  }
  if (report.token) {
    const t = report.token;
    lines.push("");
    lines.push("token:");
    if (t.credential)
      lines.push(`  credential: ${t.credential}${t.answeredBy ? ` (answered by ${t.answeredBy})` : ""}`);
    if (t.scope) lines.push(`  scope: ${t.scope}`);
    if (t.audience) {
      lines.push(
        `  audience (aud): ${t.audience} ${t.audienceMatchesScope ? "(matches the scope)" : "(DOES NOT match the scope)"}`,
      );
    }
    if (t.tenantId) lines.push(`  tenant (tid): ${t.tenantId}`);
    if (t.objectId) lines.push(`  object id (oid): ${t.objectId}`);
    if (t.appId) lines.push(`  app id (appid): ${t.appId}`);
    if (t.expiresOn) lines.push(`  expires: ${t.expiresOn} (${t.expiresIn})`);
  }
  if (report.probe) {
    const pr = report.probe;
    lines.push("");
    lines.push(
      `probe: ${pr.ok ? "OK" : "FAILED"} ${pr.status ? `HTTP ${pr.status} ` : ""}POST ${pr.url} (${pr.durationMs} ms)`,
    );
    if (pr.message && !pr.ok) lines.push(`  provider said: ${pr.message}`);
    if (pr.advice) lines.push(`  advice: ${pr.advice}`);
  }
  if (report.warnings.length > 0) {
    lines.push("");
    lines.push("warnings:");
    for (const w of report.warnings) lines.push(`  - ${w}`);
  }
  if (report.problems.length > 0) {
    lines.push("");
    lines.push("problems:");
    for (const p of report.problems) lines.push(`  - ${p}`);
  }
  return lines;
}
