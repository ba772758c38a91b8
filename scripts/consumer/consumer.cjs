// A CommonJS app (many DI apps are) using the packed packages as installed from npm.
require("reflect-metadata");
const { runScenario } = require("./scenario.cjs");

const api = {
  ...require("@copilot-byok/azure-entra"),
  ...require("@copilot-byok/core"),
  ...require("@copilot-byok/static-key"),
  ...require("@copilot-byok/testing"),
  ...require("@github/copilot-sdk"),
  ...require("tsyringe"),
  plugin: require("@copilot-byok/core/plugin"),
};
runScenario(api, "cjs").then(
  (failures) => {
    process.exitCode = failures === 0 ? 0 : 1;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
