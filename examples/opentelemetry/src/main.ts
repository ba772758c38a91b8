import { reportFailure } from "./reportFailure.js";
import { runExample } from "./runExample.js";

try {
  await runExample();
} catch (error) {
  process.exitCode = reportFailure(error);
}
