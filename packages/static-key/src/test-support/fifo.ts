import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { Worker } from "node:worker_threads";

/** Makes a named pipe (FIFO) at `path` (`mkfifo`: Linux and macOS). */
export function makeFifo(path: string): void {
  execFileSync("mkfifo", [path]);
}

/**
 * Releases whoever is blocked opening the FIFO at `path` for reading (a key file reader that opens without
 * `O_NONBLOCK` waits there for a writer, forever): opens it for writing without blocking and closes it, so the
 * reader sees an empty file. Does nothing when no one is waiting.
 */
export function releaseFifoReaders(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: no reader waiting; ENOENT: gone
  }
}

const WRITER = `
const { closeSync, constants, openSync, writeSync } = require("node:fs");
const { workerData } = require("node:worker_threads");
const pause = new Int32Array(new SharedArrayBuffer(4));
const end = Date.now() + workerData.ms;
while (Date.now() < end) {
  let fd;
  try {
    fd = openSync(workerData.path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    Atomics.wait(pause, 0, 0, 5); // no reader yet
    continue;
  }
  try {
    writeSync(fd, workerData.content);
  } catch {
    // the reader went away
  } finally {
    closeSync(fd);
  }
  break;
}
`;

/**
 * A writer on another thread (so that it runs while the main thread is blocked) that waits up to `ms` for a
 * reader to open the FIFO at `path`, then writes `content` and closes it: a regression that blocks on the FIFO
 * gets `content` instead of hanging the test forever. `stop()` ends it.
 */
export function startFifoWriter(path: string, content: string, ms = 3_000): { stop(): Promise<void> } {
  const worker = new Worker(WRITER, { eval: true, workerData: { path, content, ms } });
  worker.unref();
  return {
    stop: async () => {
      await worker.terminate();
    },
  };
}
