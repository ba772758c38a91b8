import { askWithStaticKey } from "./app.js";

const reply = await askWithStaticKey(process.env, process.argv[2] ?? "Say hello in five words.");
console.log(`reply: ${reply}`);
