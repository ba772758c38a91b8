/** Parses a server-sent-events body into `{ event, data }` records (`data` JSON-parsed unless `[DONE]`). */
export async function readSse(res: Response): Promise<Array<{ event: string | undefined; data: unknown }>> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
      const data = lines
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      return { event, data: data === "[DONE]" ? data : JSON.parse(data) };
    });
}
