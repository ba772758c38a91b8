import { askWithManagedIdentity } from "./app.js";

const reply = await askWithManagedIdentity(process.env, process.argv[2] ?? "Say hello in five words.");
console.log(`reply: ${reply}`);
