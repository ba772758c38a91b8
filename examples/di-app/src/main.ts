import { createApp } from "./app.js";
import { reportFailure } from "./reportFailure.js";

try {
  const { app, chat } = createApp(process.env);
  try {
    console.log(`mode: ${chat.mode}`);
    console.log(`reply: ${await chat.ask(process.argv[2] ?? "Say hello in five words.")}`);
  } finally {
    await app.dispose();
  }
} catch (error) {
  process.exitCode = reportFailure(error);
}
