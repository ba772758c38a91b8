let count = 0;

/**
 * A scope (so an MSAL cache key) no other test of this process uses: MSAL's managed-identity token cache is
 * process-wide and keyed by resource.
 */
export function freshScope(label = "resource"): string {
  count += 1;
  return `https://${label}-${process.pid}-${count}.copilot-byok.invalid/.default`;
}
