/**
 * The migrations under prisma/migrations must produce exactly the database that
 * prisma/schema.prisma describes: same tables, columns, types, nullability,
 * defaults' presence, primary keys, unique and plain indexes, foreign keys.
 * The schema is read with Prisma's own parser (WebAssembly, offline).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "./migrate";
import { createTestDatabase, type TestDatabase } from "./testing";

interface DmmfField {
  name: string;
  kind: string;
  isRequired: boolean;
  isList: boolean;
  type: string;
  nativeType: [string, string[]] | null;
  hasDefaultValue: boolean;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel { name: string; fields: DmmfField[] }
interface DmmfIndex { model: string; type: "id" | "unique" | "normal" | "fulltext"; fields: { name: string }[] }

const require = createRequire(import.meta.url);
const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf(params: string): string };
const schemaText = readFileSync(path.resolve(MIGRATIONS_DIR, "../schema.prisma"), "utf8");
const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schemaText]] }))) as {
  datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
};

function expectedType(f: DmmfField): string {
  if (f.nativeType?.[0] === "Uuid") return "uuid";
  if (f.nativeType?.[0] === "Timestamptz") return "timestamp with time zone";
  if (f.nativeType?.[0] === "VarChar") return "character varying";
  const map: Record<string, string> = {
    String: "text",
    Int: "integer",
    BigInt: "bigint",
    Bytes: "bytea",
    Boolean: "boolean",
    Json: "jsonb",
    DateTime: "timestamp without time zone",
    Float: "double precision",
  };
  const t = map[f.type];
  if (!t) throw new Error(`unmapped type ${f.type}`);
  return t;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe("migrated database matches schema.prisma", () => {
  it("has exactly the schema's tables", async () => {
    const rows = await db.prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`;
    expect(rows.map((r) => r.table_name).sort()).toEqual(dmmf.datamodel.models.map((m) => m.name).sort());
  });

  it("has every column with the schema's type, nullability and default", async () => {
    const cols = await db.prisma.$queryRaw<
      { table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }[]
    >`SELECT table_name, column_name, data_type, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`;
    const actual = cols
      .map((c) => `${c.table_name}.${c.column_name}: ${c.data_type} ${c.is_nullable === "YES" ? "null" : "not null"}${c.column_default ? " default" : ""}`)
      .sort();
    const expected = dmmf.datamodel.models
      .flatMap((m) =>
        m.fields
          .filter((f) => f.kind === "scalar" || f.kind === "enum")
          .map((f) => {
            // uuid() and now() defaults are applied by Prisma Client, not the database — except now(), which Prisma migrations do put in SQL.
            const dbDefault = f.hasDefaultValue && !(f.type === "String" && f.nativeType?.[0] === "Uuid");
            return `${m.name}.${f.name}: ${expectedType(f)} ${f.isRequired ? "not null" : "null"}${dbDefault ? " default" : ""}`;
          }),
      )
      .sort();
    expect(actual).toEqual(expected);
  });

  it("has the schema's primary keys, unique and plain indexes", async () => {
    const rows = await db.prisma.$queryRaw<{ table: string; unique: boolean; primary: boolean; columns: string[] }[]>`
      SELECT t.relname AS "table", ix.indisunique AS "unique", ix.indisprimary AS "primary",
             array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index ix
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE t.relname <> '_prisma_migrations'
      GROUP BY t.relname, ix.indexrelid, ix.indisunique, ix.indisprimary`;
    const actual = rows
      .map((r) => `${r.table} ${r.primary ? "id" : r.unique ? "unique" : "normal"} (${r.columns.join(",")})`)
      .sort();
    const expected = dmmf.datamodel.indexes
      .map((i) => `${i.model} ${i.type} (${i.fields.map((f) => f.name).join(",")})`)
      .sort();
    expect(actual).toEqual(expected);
  });

  it("has the schema's foreign keys with their delete rules", async () => {
    const rows = await db.prisma.$queryRaw<{ fk: string }[]>`
      SELECT format('%s(%s) -> %s(%s) %s', tc.table_name, kcu.column_name, ccu.table_name, ccu.column_name, rc.delete_rule) AS fk
      FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
      JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
      JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name
      WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'`;
    const expected = dmmf.datamodel.models.flatMap((m) =>
      m.fields
        .filter((f) => f.kind === "object" && f.relationFromFields && f.relationFromFields.length > 0)
        .map((f) => {
          const onDelete = (f.relationOnDelete ?? "Restrict").replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
          return `${m.name}(${f.relationFromFields?.[0]}) -> ${f.type}(${f.relationToFields?.[0]}) ${onDelete}`;
        }),
    );
    expect(rows.map((r) => r.fk).sort()).toEqual(expected.sort());
  });
});
