import { askWithManagedIdentity } from "./app.js";
import { reportFailure } from "./reportFailure.js";

try {
  const reply = await askWithManagedIdentity(process.env, process.argv[2] ?? "Say hello in five words.");
  console.log(`reply: ${reply}`);
} catch (error) {
  process.exitCode = reportFailure(error);
}
