import type { MembershipLine } from "@/worker/api";

const list = (names: string[]) => (names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`);

/** "alice added carol": one verified membership event as the timeline says it. */
export function membershipText(e: MembershipLine): string {
  switch (e.kind) {
    case "create": {
      const others = e.targets.filter((t) => t !== e.actor);
      return others.length > 0 ? `${e.actor ?? ""} created the room with ${list(others)}` : `${e.actor ?? ""} created the room`;
    }
    case "add":
      return `${e.actor ?? ""} added ${list(e.targets)}`;
    case "leave":
      return `${e.actor ?? ""} left`;
    case "remove":
      return e.actor === null
        ? `${list(e.targets)} removed by the server (an admin or a deactivation; not signed by a member, so this is the server's word)`
        : `${e.actor} removed ${list(e.targets)}`;
  }
}
