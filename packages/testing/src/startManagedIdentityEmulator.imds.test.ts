import { describeRealCredentials } from "./test-support/describeRealCredentials.js";

// Its own file: MSAL fixes the managed-identity source once per process (see describeRealCredentials).
describeRealCredentials("imds");
