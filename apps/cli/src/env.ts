/** The CLI's environment, parsed once. */
import { z } from "zod";

const Env = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  CAIRN_LEDGER: z.enum(["embedded", "fabric"]).default("embedded"),
});
export type CliEnv = z.infer<typeof Env>;

export function cliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    throw new Error(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
