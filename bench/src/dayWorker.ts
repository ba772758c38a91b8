// One simulated day in a worker thread (see runDay's `parallel`): options in, result out.
import { parentPort, workerData } from "node:worker_threads";
import { type DaySimulationOptions, simulateDay } from "./day.js";

const result = await simulateDay(workerData as DaySimulationOptions);
parentPort?.postMessage(result);
