import { expect, it } from "vitest";
import { editDistance } from "./editDistance.js";

it.each([
  ["", "", 0],
  ["azure-entr", "azure-entra", 1],
  ["static-kye", "static-key", 2],
  ["doctr", "doctor", 1],
  ["abc", "", 3],
  ["kitten", "sitting", 3],
])("%s ~ %s: %i", (a, b, distance) => {
  expect(editDistance(a, b)).toBe(distance);
  expect(editDistance(b, a)).toBe(distance);
});
