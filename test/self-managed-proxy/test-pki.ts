import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TestPki {
  /** PEM of the CA that signed the server certificate. */
  readonly caFile: string;
  /** PEM of another CA, which signed nothing the tests serve. */
  readonly otherCaFile: string;
  /** The server's key and certificate (for 127.0.0.1 and localhost), PEM. */
  readonly server: { readonly key: string; readonly cert: string };
  readonly dir: string;
  remove(): void;
}

function openssl(args: string[]) {
  execFileSync("openssl", args, { stdio: "ignore" });
}

function createCa(dir: string, name: string) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  openssl([
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
    ...["-days", "1", "-subj", `/CN=Token broker test ${name}`, "-keyout", key, "-out", cert],
    ...["-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  ]);
  return { key, cert };
}

/** A CA and a server certificate it signed, made at test time with openssl. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), "broker-pki-"));
  const ca = createCa(dir, "ca");
  const other = createCa(dir, "other-ca");
  const key = path.join(dir, "server.key");
  const csr = path.join(dir, "server.csr");
  const cert = path.join(dir, "server.pem");
  const extensions = path.join(dir, "server.ext");
  writeFileSync(extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl([
    ...["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
    ...["-subj", "/CN=127.0.0.1", "-keyout", key, "-out", csr],
  ]);
  openssl([
    ...["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial"],
    ...["-days", "1", "-extfile", extensions, "-out", cert],
  ]);
  return {
    caFile: ca.cert,
    otherCaFile: other.cert,
    server: { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") },
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
