import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseDockerfile } from "./dockerfile.js";
import { expandInstruction, expandWord } from "./expand.js";
import { body, only } from "./testing.js";

// The 18 syntax snippets (S01–S18) and several examples of shared/spec/seed-dockerfile.md.
const parentEnv = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

describe("seed book syntax snippets", () => {
  it("S01 CMD shell and exec forms", () => {
    assert.deepEqual(only("CMD ping localhost", "cmd").command, { form: "shell", command: "ping localhost" });
    assert.deepEqual(only('CMD ["ping", "localhost"]', "cmd").command, {
      form: "exec",
      args: ["ping", "localhost"],
    });
  });

  it("S02 FROM with and without tag", () => {
    const df = parseDockerfile("FROM centos\nFROM centos:7");
    assert.deepEqual(
      df.stages.map((s) => s.from.image),
      ["centos", "centos:7"],
    );
  });

  it("S03 RUN forms", () => {
    assert.deepEqual(only("RUN mkdir /tmp/test", "run").command, {
      form: "shell",
      command: "mkdir /tmp/test",
    });
    assert.deepEqual(only('RUN ["/bin/sh", "-c", "mkdir /tmp/test"]', "run").command, {
      form: "exec",
      args: ["/bin/sh", "-c", "mkdir /tmp/test"],
    });
  });

  it("S04 continuation joins the lines", () => {
    const [a, b] = body(
      "RUN mkdir /tmp/test1; mkdir /tmp/test2\nRUN mkdir /tmp/test1;\\\n  mkdir /tmp/test2",
    );
    assert.deepEqual(a?.kind === "run" && a.command, {
      form: "shell",
      command: "mkdir /tmp/test1; mkdir /tmp/test2",
    });
    assert.deepEqual(b?.kind === "run" && b.command, {
      form: "shell",
      command: "mkdir /tmp/test1;  mkdir /tmp/test2",
    });
  });

  it("S05 multi-line continuation", () => {
    const run = only(
      "RUN yum update -y && yum install -y \\\nhttpd \\\nmariadb-server \\\nphp php-mysql",
      "run",
    );
    assert.deepEqual(run.command, {
      form: "shell",
      command: "yum update -y && yum install -y httpd mariadb-server php php-mysql",
    });
    assert.deepEqual([run.startLine, run.endLine], [2, 5]);
  });

  it("S06 EXPOSE", () => {
    assert.deepEqual(only("EXPOSE 80 22", "expose").ports, ["22", "80"]);
    assert.deepEqual(only("EXPOSE 80/TCP", "expose").ports, ["80/TCP"]);
  });

  it("S07 ADD URL, wildcard, JSON multi-source (with the printed bad line break)", () => {
    const [url, wild, json] = body(
      'ADD http://code.jquery.com/jquery-2.2.0.min.js /tmp/jquery.js\nADD test* dossierRelatif/\nADD ["/home/vagrant/add/test1", "/home/vagrant/add/test2", "/dossierAbsolu/"]',
    );
    assert.deepEqual(url?.kind === "add" && [url.sources, url.dest], [
      ["http://code.jquery.com/jquery-2.2.0.min.js"],
      "/tmp/jquery.js",
    ]);
    assert.deepEqual(wild?.kind === "add" && [wild.sources, wild.dest], [["test*"], "dossierRelatif/"]);
    assert.deepEqual(json?.kind === "add" && [json.sources, json.dest, json.json], [
      ["/home/vagrant/add/test1", "/home/vagrant/add/test2"],
      "/dossierAbsolu/",
      true,
    ]);
    // As printed, the line break swallowed the next instruction into ADD's arguments.
    const broken = only(
      "ADD http://code.jquery.com/jquery-2.2.0.min.js /tmp/jquery.js ADD test* dossierRelatif/",
      "add",
    );
    assert.equal(broken.dest, "dossierRelatif/");
  });

  it("S08 trailing slash on the destination is kept", () => {
    const [a, b] = body("ADD test1 /tmp/output1\nADD test2 /tmp/output2/");
    assert.deepEqual(
      [a?.kind === "add" && a.dest, b?.kind === "add" && b.dest],
      ["/tmp/output1", "/tmp/output2/"],
    );
  });

  it("S09 COPY wildcard and JSON", () => {
    const [a, b] = body(
      'COPY test* dossierRelatif/\nCOPY ["/home/vagrant/add/test1", "/home/vagrant/add/test2", "/dossierAbsolu/"]',
    );
    assert.deepEqual(a?.kind === "copy" && a.sources, ["test*"]);
    assert.deepEqual(b?.kind === "copy" && b.sources, ["/home/vagrant/add/test1", "/home/vagrant/add/test2"]);
  });

  it("S10 VOLUME forms, dangling backslash at EOF tolerated", () => {
    const [a, b, c] = body(
      'VOLUME /tmp/data\nVOLUME ["/tmp/data1", "/tmp/data2"]\nVOLUME /chemin1/dossier1 \\\n/chemin2/dossier2 \\',
    );
    assert.deepEqual(a?.kind === "volume" && a.paths, ["/tmp/data"]);
    assert.deepEqual(b?.kind === "volume" && b.paths, ["/tmp/data1", "/tmp/data2"]);
    assert.deepEqual(c?.kind === "volume" && c.paths, ["/chemin1/dossier1", "/chemin2/dossier2"]);
  });

  it("S11 ENV forms and $PATH from the parent image", () => {
    const [a, b, c] = body(
      'ENV myName James Bond\nENV myName="James Bond" myJob=Agent\\ secret\nENV PATH /usr/local/nginx/bin:$PATH',
    );
    const ex = (i: typeof a) =>
      i?.kind === "env" ? expandInstruction(i, parentEnv).env.map((kv) => `${kv.key}=${kv.value}`) : [];
    assert.deepEqual(ex(a), ["myName=James Bond"]);
    assert.deepEqual(ex(b), ["myName=James Bond", "myJob=Agent secret"]);
    assert.deepEqual(ex(c), [
      "PATH=/usr/local/nginx/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ]);
  });

  it("S12 LABEL quoting, escaped quotes, continuation inside quotes", () => {
    const labels = body(
      'LABEL name="Mon application" version="1.0"\nLABEL app.name="Mon application" "app.version"="1.0"\n' +
        'LABEL app.description="Voici la description de \\"Mon application\\" \\\nsur plusieurs lignes."',
    ).flatMap((i) =>
      i.kind === "label" ? expandInstruction(i, []).labels.map((kv) => [kv.key, kv.value]) : [],
    );
    assert.deepEqual(labels, [
      ["name", "Mon application"],
      ["version", "1.0"],
      ["app.name", "Mon application"],
      ["app.version", "1.0"],
      ["app.description", 'Voici la description de "Mon application" sur plusieurs lignes.'],
    ]);
  });

  it("S13 WORKDIR", () => {
    assert.equal(only("WORKDIR /tmp", "workdir").path, "/tmp");
  });

  it("S14 ARG defaults lose their quotes when expanded; RUN keeps $vars", () => {
    const list = body(
      'ARG var1\nARG var2="ma valeur"\nARG var3=4\nRUN echo $var1\nRUN echo ${var2:-"une autre valeur"]}',
    );
    const args = list.flatMap((i) => (i.kind === "arg" ? expandInstruction(i, []).args : []));
    assert.deepEqual(args, [
      { name: "var1" },
      { name: "var2", defaultValue: "ma valeur" },
      { name: "var3", defaultValue: "4" },
    ]);
    const runs = list.flatMap((i) => (i.kind === "run" ? [expandInstruction(i, { var1: "x" }).command] : []));
    assert.deepEqual(runs, [
      { form: "shell", command: "echo $var1" },
      { form: "shell", command: 'echo ${var2:-"une autre valeur"]}' },
    ]);
    assert.equal(expandWord('${var2:-"une autre valeur"}', {}), "une autre valeur");
  });

  it("S15 ONBUILD keeps the raw trigger text", () => {
    const triggers = body(
      "ONBUILD RUN mkdir /tmp/test\nONBUILD COPY test* dossierRelatif/\nONBUILD USER httpd",
    ).map((i) => (i.kind === "onbuild" ? i.expression : ""));
    assert.deepEqual(triggers, ["RUN mkdir /tmp/test", "COPY test* dossierRelatif/", "USER httpd"]);
  });

  it("S16 USER and S17 STOPSIGNAL", () => {
    assert.equal(only("USER httpd", "user").user, "httpd");
    assert.deepEqual(
      body("STOPSIGNAL 9\nSTOPSIGNAL SIGKILL").map((i) => i.kind === "stopsignal" && i.signal),
      ["9", "SIGKILL"],
    );
  });

  it("S18 build args feed the global ARG scope (CLI side is elsewhere)", () => {
    const df = parseDockerfile('ARG var1\nARG var2="valeur par défaut"\nFROM busybox:$var1');
    assert.deepEqual(
      df.globalArgs.flatMap((a) => a.args.map((x) => x.name)),
      ["var1", "var2"],
    );
    assert.equal(df.stages[0]?.from.image, "busybox:$var1");
  });
});

describe("seed book examples", () => {
  it("E03 upstream nginx Dockerfile (intended) parses", () => {
    const df = parseDockerfile(
      [
        "FROM debian:jessie",
        'MAINTAINER Nginx Docker Maintainers "docker-maint@nginx.com"',
        "ENV NGINX_VERSION 1.9.15-1~jessie",
        "RUN apt-key adv --keyserver hkp://pgp.mit.edu:80 --recv-keys 573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62 \\",
        '&& echo "deb http://nginx.org/packages/mainline/debian/ jessie nginx" >> /etc/apt/sources.list \\',
        "&& apt-get update \\",
        "&& apt-get install --no-install-recommends --no-install-suggests -y \\",
        "ca-certificates \\",
        "nginx=${NGINX_VERSION} \\",
        "gettext-base \\",
        "&& rm -rf /var/lib/apt/lists/*",
        "# forward request and error logs to docker log collector",
        "RUN ln -sf /dev/stdout /var/log/nginx/access.log \\",
        "&& ln -sf /dev/stderr /var/log/nginx/error.log",
        "EXPOSE 80 443",
        'CMD ["nginx", "-g", "daemon off;"]',
      ].join("\n"),
    );
    const kinds = df.stages[0]?.instructions.map((i) => i.kind);
    assert.deepEqual(kinds, ["maintainer", "env", "run", "run", "expose", "cmd"]);
    const run = df.stages[0]?.instructions[2];
    assert.ok(
      run?.kind === "run" &&
        run.command.form === "shell" &&
        run.command.command.includes("nginx=${NGINX_VERSION} "),
    );
    assert.deepEqual(run && [run.startLine, run.endLine], [4, 11]);
    const cmd = df.stages[0]?.instructions[5];
    assert.deepEqual(cmd?.kind === "cmd" && cmd.command, {
      form: "exec",
      args: ["nginx", "-g", "daemon off;"],
    });
  });

  it("E05 comments before FROM and between instructions", () => {
    const df = parseDockerfile(
      "#L'image source est centos 7\nFROM centos:7\n#On ajoute fichier test1 dans tmp\nCOPY test1 /tmp/\n#On liste le dossier tmp du conteneur\nCMD ls /tmp\n",
    );
    assert.deepEqual(
      df.stages[0]?.instructions.map((i) => [i.kind, i.startLine]),
      [
        ["copy", 4],
        ["cmd", 6],
      ],
    );
  });

  it("E06 several FROMs make several stages", () => {
    const df = parseDockerfile(
      'FROM centos:7\nCMD echo "Hello world"\nFROM centos:7\nCMD echo "Bonjour à tous"\n',
    );
    assert.equal(df.stages.length, 2);
    const cmd = df.stages[1]?.instructions[0];
    assert.deepEqual(cmd?.kind === "cmd" && cmd.command, { form: "shell", command: 'echo "Bonjour à tous"' });
  });

  it("E14 JSON form with a space before the comma", () => {
    const add = body('RUN cd output\nADD test1 ./\nADD ["test2" , "/output/"]')[2];
    assert.deepEqual(add?.kind === "add" && [add.sources, add.dest, add.json], [["test2"], "/output/", true]);
  });

  it("E21 LABEL over several lines", () => {
    const label = only(
      'LABEL app.name="Mon application" \\\n"app.version"="1.0" \\\napp.description="Voici la description de \\"Mon application\\" \\\nsur plusieurs lignes."',
      "label",
    );
    assert.deepEqual(Object.fromEntries(expandInstruction(label, []).labels.map((l) => [l.key, l.value])), {
      "app.name": "Mon application",
      "app.version": "1.0",
      "app.description": 'Voici la description de "Mon application" sur plusieurs lignes.',
    });
  });

  it("E25 WORKDIR with an unset variable expands it to empty (Docker, not the book)", () => {
    const [env, wd] = body("ENV cheminCourant /tmp\nWORKDIR $cheminCourant/$unFichier");
    assert.ok(env?.kind === "env" && wd?.kind === "workdir");
    const scope = expandInstruction(env, []).env.map((kv) => `${kv.key}=${kv.value}`);
    assert.equal(expandInstruction(wd, scope).path, "/tmp/");
  });

  it("E29 ARG + ENV default pattern", () => {
    const env = body("ARG version\nENV version ${version:-1.0}")[1];
    assert.ok(env?.kind === "env");
    assert.equal(expandInstruction(env, {}).env[0]?.value, "1.0");
    assert.equal(expandInstruction(env, { version: "1.2" }).env[0]?.value, "1.2");
  });

  it("E30 ONBUILD triggers stored unexpanded, in order", () => {
    const df = parseDockerfile(
      '#python-app\nFROM centos:7\nONBUILD ARG fichier="app.py"\nONBUILD COPY $fichier /app/app.py\nONBUILD RUN python -m py_compile /app/app.py\nENTRYPOINT ["python", "/app/app.pyc"]',
    );
    const triggers = df.stages[0]?.instructions.flatMap((i) => (i.kind === "onbuild" ? [i.expression] : []));
    assert.deepEqual(triggers, [
      'ARG fichier="app.py"',
      "COPY $fichier /app/app.py",
      "RUN python -m py_compile /app/app.py",
    ]);
    // The child build re-parses each trigger like a one-line Dockerfile.
    const copy = parseDockerfile(`FROM x\n${triggers?.[1] ?? ""}`).stages[0]?.instructions[0];
    assert.ok(copy?.kind === "copy");
    assert.deepEqual(expandInstruction(copy, { fichier: "x2.py" }).sources, ["x2.py"]);
  });

  it("E31 SHELL (Linux variant) and E38 HEALTHCHECK", () => {
    const [shell] = body('SHELL ["/bin/sh", "-xc"]');
    assert.deepEqual(shell?.kind === "shell" && shell.shell, ["/bin/sh", "-xc"]);
    const hc = only(
      "HEALTHCHECK --interval=10s \\\nCMD curl -f http://localhost:5000/health || exit 1",
      "healthcheck",
    );
    assert.deepEqual(hc.health.type === "cmd" && [hc.health.test, hc.health.interval], [
      ["CMD-SHELL", "curl -f http://localhost:5000/health || exit 1"],
      10e9,
    ]);
  });

  it("E32 RUN with && continuations", () => {
    const [run] = body("RUN chown root:root /bin/top && \\\n    chmod 774 /bin/top");
    assert.deepEqual(run?.kind === "run" && run.command, {
      form: "shell",
      command: "chown root:root /bin/top &&     chmod 774 /bin/top",
    });
  });
});
