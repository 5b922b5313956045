// Module hooks that append every file: URL Node loads to $BERTH_TRACE_OUT,
// so the image gets exactly the modules the registry command imports.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const res = await next(specifier, context);
  if (res.url.startsWith("file:")) appendFileSync(process.env.BERTH_TRACE_OUT, res.url + "\n");
  return res;
}
