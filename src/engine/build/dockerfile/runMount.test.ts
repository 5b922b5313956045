import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseRunMount } from "./runMount.js";

const expand = (vars: Record<string, string>) => (w: string) =>
  w.replace(/\$(\w+)/g, (_, n: string) => vars[n] ?? "");

describe("RUN --mount", () => {
  it("reads only `from` before expansion", () => {
    assert.deepEqual(parseRunMount("type=cache,from=builder,target=/x"), {
      type: "bind",
      from: "builder",
      readOnly: true,
      required: false,
    });
  });

  it("reads every field once expanded, with BuildKit's defaults", () => {
    assert.deepEqual(
      parseRunMount(
        "type=cache,target=$T,id=go,sharing=locked,mode=0700,uid=1000",
        expand({ T: "/root/.cache" }),
      ),
      {
        type: "cache",
        target: "/root/.cache",
        cacheId: "go",
        sharing: "locked",
        mode: 0o700,
        uid: 1000,
        readOnly: false,
        required: false,
      },
    );
    assert.deepEqual(parseRunMount("type=secret,id=tok,required", expand({})), {
      type: "secret",
      cacheId: "tok",
      readOnly: true,
      required: true,
    });
    assert.equal(parseRunMount("type=tmpfs,dst=/t,size=64m", expand({})).sizeLimit, 64 * 1024 * 1024);
    assert.equal(parseRunMount("target=/a,rw", expand({})).readOnly, false);
    assert.equal(parseRunMount('"target=/a,b",ro=false', expand({})).target, "/a,b");
  });

  it("rejects bad mounts with BuildKit's texts", () => {
    const e = (spec: string) => () => parseRunMount(spec, expand({}));
    assert.throws(e("type=secret,id=a,from=b"), { message: "secret mount should not have a from" });
    assert.throws(e("type=bnd"), { message: 'unsupported mount type "bnd" (did you mean bind?)' });
    assert.throws(e("type=bind,mode=0700"), { message: 'mode not allowed for "bind" type mounts' });
    assert.throws(e("type=cache,sharing=x"), { message: 'unsupported sharing value "x"' });
    assert.throws(e("target=/a,sharing=shared"), { message: "invalid cache sharing set for bind mount" });
    assert.throws(e("targt=/a"), { message: "unexpected key 'targt' in 'targt=/a' (did you mean target?)" });
    assert.throws(e("bogus"), { message: "invalid field 'bogus' must be a key=value pair" });
    assert.throws(e("type=secret"), { message: "invalid secret mount. one of source, target required" });
    assert.throws(e("required"), { message: "unexpected key 'required' for mount type 'bind'" });
    assert.throws(e("ro=maybe"), { message: "invalid value for ro: maybe" });
    assert.throws(e('a"b'), /failed to parse csv mounts: .*bare "/);
  });
});
