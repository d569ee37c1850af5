// Lets @modelcontextprotocol/conformance run on Node 20 (`node --import` this file). Its bundle, built for
// node20, imports `globSync` from "fs" (Node 22), used only by its `tier-check` command: without it the
// import fails before any scenario runs. On Node < 22 this gives the bundle an `fs` whose globSync throws.
import fs from "node:fs";
import { register } from "node:module";

const fsWithGlobSync =
  "export * from 'node:fs'; import fs from 'node:fs'; export default fs;" +
  "export function globSync() { throw new Error('fs.globSync needs Node 22 (conformance tier-check only)'); }";
const hooks = `
export async function resolve(specifier, context, next) {
  if ((specifier === "fs" || specifier === "node:fs") && context.parentURL?.includes("@modelcontextprotocol/conformance")) {
    return { url: "data:text/javascript," + encodeURIComponent(${JSON.stringify(fsWithGlobSync)}), shortCircuit: true };
  }
  return next(specifier, context);
}`;
if (!fs.globSync) register("data:text/javascript," + encodeURIComponent(hooks));
