import type { DescriptionValue } from "@copilot-byok/core";
import { showModelName } from "@copilot-byok/core/plugin";
import type { DoctorReport } from "./runDoctor.js";
import { SETTING_RENDERERS } from "./showSetting.js";

/**
 * The doctor report as lines for a terminal. Knows no mode: the selected mode's section lists whatever facts
 * its source gave, and the token section whatever claims.
 */
export function formatDoctorReport(report: DoctorReport): string[] {
  const lines: string[] = [];
  lines.push(`copilot-byok doctor: ${report.healthy ? "healthy" : "problems found"}`);
  lines.push("");
  lines.push(`mode: ${report.mode ?? "(none selected)"}`);
  for (const reason of report.reasons) lines.push(...bullet(reason));
  if (report.modules.length > 0) {
    lines.push("");
    lines.push("modules:");
    for (const m of report.modules) lines.push(`  - ${m.mode}${m.origin ? ` (${m.origin})` : ""}`);
  }
  if (report.provider) {
    const p = report.provider;
    lines.push("");
    lines.push("provider:");
    lines.push(`  base URL: ${p.baseUrl ?? "(none)"}`);
    // A value that is not accepted is shown as given (in its safe rendering), never as the default it falls back to.
    const invalid = (field: "type" | "wireApi") => (p.invalid?.includes(field) ? " (invalid)" : "");
    lines.push(`  type: ${p.type}${invalid("type")}, wire API: ${p.wireApi}${invalid("wireApi")}`);
    // Through the renderers runDoctor uses (idempotent): a report built elsewhere is shown the same way.
    lines.push(
      `  model: ${p.model !== undefined ? showModelName(p.model) : "(not set)"}${p.wireModel ? `, deployment (wire model): ${showModelName(p.wireModel)}` : ""}`,
    );
  }
  if (report.mode && (report.facts || report.credentialKind)) {
    const facts = Object.entries(report.facts ?? {});
    lines.push("");
    lines.push(`${report.mode}:`);
    if (report.credentialKind && !Object.hasOwn(report.facts ?? {}, "credentialKind")) {
      lines.push(`  credential kind: ${report.credentialKind}`);
    }
    for (const [label, value] of facts)
      if (value !== undefined) lines.push(`  ${label}: ${show(value, label)}`);
  }
  const tokenLines = report.token ? formatToken(report.token) : [];
  if (tokenLines.length > 0) {
    lines.push("");
    lines.push("token:");
    lines.push(...tokenLines);
  }
  if (report.credentialDelivery) {
    lines.push("");
    lines.push(`credential delivery: ${report.credentialDelivery.delivery}`);
    lines.push(...bullet(report.credentialDelivery.reason));
  }
  if (report.probe) {
    const pr = report.probe;
    lines.push("");
    if (pr.notProbed) lines.push(`probe: not probed: ${pr.notProbed}`);
    else
      lines.push(
        `probe: ${pr.ok ? "OK" : "FAILED"} ${pr.status ? `HTTP ${pr.status} ` : ""}POST ${pr.url} (${pr.durationMs} ms)`,
      );
    // Without a status no provider answered (no connection, a TLS failure, no credential to send): nothing it "said".
    if (pr.message && !pr.ok)
      lines.push(pr.status ? `  provider said: ${pr.message}` : `  no provider answered: ${pr.message}`);
    if (pr.advice) lines.push(`  advice: ${pr.advice}`);
    // The source's own sentences about the credential the provider refused.
    if (pr.status && pr.explanation && pr.explanation.length > 0) {
      lines.push(
        `  explanation of the ${pr.status}${report.mode ? `, from the ${report.mode} source` : ""}:`,
      );
      for (const line of pr.explanation) lines.push(...bullet(line).map((l) => `  ${l}`));
    }
  }
  if (report.warnings.length > 0) {
    lines.push("");
    lines.push("warnings:");
    for (const w of report.warnings) lines.push(...bullet(w));
  }
  if (report.problems.length > 0) {
    lines.push("");
    lines.push("problems:");
    for (const p of report.problems) lines.push(...bullet(p));
  }
  return lines;
}

/**
 * One item as one bullet: its first line after `  - `, the lines after it (e.g. each credential of a chain that
 * failed, then what to do) indented under it, so that one problem of several lines never reads as several.
 */
function bullet(text: string): string[] {
  const [first = "", ...rest] = text.split(/\r?\n/);
  const details = rest.map((line) => line.trim()).filter((line) => line !== "");
  return [
    `  - ${first.trim()}`,
    ...details.map((line) => (line.startsWith("- ") ? `      ${line}` : `    ${line}`)),
  ];
}

function formatToken(t: NonNullable<DoctorReport["token"]>): string[] {
  const lines: string[] = [];
  if (t.audience) {
    const match =
      t.audienceMatchesScope === undefined
        ? ""
        : t.audienceMatchesScope
          ? " (matches the scope)"
          : " (DOES NOT match the scope)";
    lines.push(`  audience (aud): ${t.audience}${match}`);
  }
  if (t.tenantId) lines.push(`  tenant (tid): ${t.tenantId}`);
  if (t.objectId) lines.push(`  object id (oid): ${t.objectId}`);
  if (t.appId) lines.push(`  app id (appid): ${t.appId}`);
  if (t.expiresOn) lines.push(`  expires: ${t.expiresOn}${t.expiresIn ? ` (${t.expiresIn})` : ""}`);
  return lines;
}

function show(value: Exclude<DescriptionValue, undefined>, label: string): string {
  if (Array.isArray(value)) return value.length > 0 ? value.join(", ") : "(none)";
  const render = Object.hasOwn(SETTING_RENDERERS, label) ? SETTING_RENDERERS[label] : undefined;
  return typeof value === "string" && render ? render(value) : String(value);
}
