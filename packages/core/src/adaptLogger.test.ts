import "reflect-metadata";
import { Writable } from "node:stream";
import { waitFor } from "@copilot-byok/test-utils/waitFor";
import pino from "pino";
import { container as rootContainer } from "tsyringe";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import { adaptLogger } from "./adaptLogger.js";
import { createConsoleLogger } from "./createConsoleLogger.js";
import { silentLogger } from "./Logger.js";
import { deliverEvent } from "./RefreshingCacheEvent.js";
import { registerCopilotByok } from "./registerCopilotByok.js";
import { FakeCopilotClient } from "./test-support/FakeCopilotClient.js";
import { CANARY_KEY, testModule } from "./test-support/testModules.js";
import { COPILOT_BYOK_LOGGER, PROVIDER_CONFIG_SOURCE } from "./tokens.js";

// Real pino and winston loggers writing JSON lines to memory: the details land as fields of the record, every
// one of them, and no secret does (a key under a secret name, a key in a URL's query, a bearer token in text).

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ";
const QUERY_KEY = "canary-query-key-5e1f0a";
const EVENT = {
  message: `static key rotated (Bearer ${JWT})`,
  details: {
    keyFile: "/var/run/secrets/api-key",
    fingerprint: "sha256:0a1b2c3d",
    attempt: 2,
    apiKey: CANARY_KEY,
    baseUrl: `https://res.openai.azure.com/openai/v1/?api-key=${QUERY_KEY}`,
    error: new Error(`refused: Bearer ${JWT}`),
  },
};
const SECRETS = [CANARY_KEY, QUERY_KEY, JWT];

/** A stream that keeps each JSON line written to it. */
function memoryStream() {
  const records: Record<string, unknown>[] = [];
  const text: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        text.push(line);
        records.push(JSON.parse(line));
      }
      done();
    },
  });
  return { stream, records, text };
}

const pinoLogger = (stream: Writable) => pino({ level: "debug", base: undefined, timestamp: false }, stream);
const winstonLogger = (stream: Writable) =>
  winston.createLogger({
    level: "debug",
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });

function expectSafeRecord(record: Record<string, unknown> | undefined, messageKey: "msg" | "message") {
  expect(record).toMatchObject({
    [messageKey]: "static key rotated (Bearer [REDACTED]:jwt)",
    keyFile: "/var/run/secrets/api-key",
    fingerprint: "sha256:0a1b2c3d",
    attempt: 2,
    apiKey: "[REDACTED]",
    baseUrl: "https://res.openai.azure.com/openai/v1/?api-key=[REDACTED]",
    error: { name: "Error", message: "refused: Bearer [REDACTED]:jwt" },
  });
}

afterEach(() => {
  rootContainer.reset();
});

describe("adaptLogger", () => {
  it("pino: details first, as fields of the record, redacted", async () => {
    const out = memoryStream();
    const logger = adaptLogger(pinoLogger(out.stream));
    logger.info(EVENT.message, EVENT.details);
    logger.debug("no details");
    await waitFor(() => out.records.length === 2, { what: "two pino records" });
    expectSafeRecord(out.records[0], "msg");
    expect(out.records[0]?.level).toBe(30);
    expect(out.records[1]).toEqual({ level: 20, msg: "no details" });
    for (const secret of SECRETS) expect(out.text.join("\n")).not.toContain(secret);
  });

  it("why: pino called console-style, (message, details), keeps the message and drops the details", async () => {
    const out = memoryStream();
    const raw = pinoLogger(out.stream);
    Reflect.apply(raw.info, raw, ["m", { keyFile: "/k" }]); // pino's types refuse it too

    await waitFor(() => out.records.length === 1, { what: "a pino record" });
    expect(out.records[0]).toEqual({ level: 30, msg: "m" });
  });

  it("winston: message first, the details merged into the record, redacted", async () => {
    const out = memoryStream();
    const logger = adaptLogger(winstonLogger(out.stream));
    logger.warn(EVENT.message, EVENT.details);
    logger.error("no details");
    await waitFor(() => out.records.length === 2, { what: "two winston records" });
    expectSafeRecord(out.records[0], "message");
    expect(out.records[0]?.level).toBe("warn");
    expect(out.records[1]).toEqual({ level: "error", message: "no details" });
    for (const secret of SECRETS) expect(out.text.join("\n")).not.toContain(secret);
  });

  it("an explicit style wins over detection (bunyan-like loggers take details first)", () => {
    const calls: unknown[][] = [];
    const record = (...args: unknown[]) => calls.push(args);
    const target = { debug: record, info: record, warn: record, error: record };
    adaptLogger(target, { style: "details-first" }).info("m", { a: 1 });
    adaptLogger(target).info("m", { a: 1 });
    expect(calls).toEqual([
      [{ a: 1 }, "m"],
      ["m", { a: 1 }],
    ]);
  });

  it("returns a redacting logger as it is, and one adapter per target", () => {
    const console = createConsoleLogger({ level: "silent" });
    expect(adaptLogger(console)).toBe(console);
    expect(adaptLogger(silentLogger)).toBe(silentLogger);
    const target = { debug() {}, info() {}, warn() {}, error() {} };
    expect(adaptLogger(target)).toBe(adaptLogger(target));
    expect(adaptLogger(adaptLogger(target))).toBe(adaptLogger(target));
  });

  it("ignores what the target throws: a log line does not change the outcome it reports", () => {
    const broken = () => {
      throw new Error("transport down");
    };
    const logger = adaptLogger({ debug: broken, info: broken, warn: broken, error: broken });
    expect(() => logger.error("m", { a: 1 })).not.toThrow();
  });

  it("registerCopilotByok adapts the logger it is given: a module's details reach pino as fields", async () => {
    const out = memoryStream();
    const module = testModule("fixed", () => ({ applicable: true, reasons: ["always"] }));
    const app = rootContainer.createChildContainer();
    registerCopilotByok(app, {
      env: { COPILOT_PROVIDER_BASE_URL: "https://res.openai.azure.com/openai/v1/" },
      modules: [module],
      client: new FakeCopilotClient().asClient(),
      logger: pinoLogger(out.stream),
    });
    app.resolve(PROVIDER_CONFIG_SOURCE);
    module.contexts[0]?.logger?.info(EVENT.message, EVENT.details);
    expect(app.resolve(COPILOT_BYOK_LOGGER)).toBe(module.contexts[0]?.logger);
    await waitFor(() => out.records.length === 1, { what: "a pino record" });
    expectSafeRecord(out.records[0], "msg");
    for (const secret of SECRETS) expect(out.text.join("\n")).not.toContain(secret);
  });

  it("a refreshing cache's events reach a pino logger given straight to a source, with their fields", async () => {
    const out = memoryStream();
    deliverEvent(
      { type: "refresh-failed", message: `token refused: Bearer ${JWT}`, consecutiveFailures: 3 },
      "copilot-byok token cache",
      pinoLogger(out.stream),
      undefined,
    );
    await waitFor(() => out.records.length === 1, { what: "a pino record" });
    expect(out.records[0]).toMatchObject({
      level: 40,
      msg: "copilot-byok token cache: token refused: Bearer [REDACTED]:jwt",
      type: "refresh-failed",
      consecutiveFailures: 3,
    });
    expect(out.text.join("\n")).not.toContain(JWT);
  });
});
