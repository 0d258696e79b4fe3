/**
 * Compile-time checks of the Socket.IO event maps (run by `tsc`; the `it` bodies do
 * nothing at run time). `emit` has the shape Socket.IO gives a typed socket's emit:
 * if a map loosened (an index signature, an `any` payload), the `@ts-expect-error`
 * lines would stop erroring and typecheck would fail.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { LedgerCheckpoint } from "./ledger/audit";
import type { Ack, DeliveredShare, KeysChangedEvent, MembersAddedEvent, SendMessageAck, SendMessageEvent, StoredMessage, WireEnvelope } from "./schemas";
import { EVENTS } from "./schemas";
import type {
  ClientEventAck,
  ClientEventPayload,
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from "./socket-events";

type Emit<M> = <E extends keyof M>(event: E, ...args: M[E] extends (...a: infer P) => void ? P : never) => void;
declare const toRelay: Emit<ClientToServerEvents>;
declare const toClient: Emit<ServerToClientEvents>;
declare const envelope: WireEnvelope;
declare const message: StoredMessage;

describe("socket event maps", () => {
  it("types each payload as its schema's type", () => {
    expectTypeOf<ClientEventPayload<typeof EVENTS.sendMessage>>().toEqualTypeOf<SendMessageEvent>();
    expectTypeOf<ClientEventPayload<typeof EVENTS.subscribeRoom>>().toEqualTypeOf<{ roomId: string }>();
    expectTypeOf<ClientEventPayload<typeof EVENTS.ackShares>>().toEqualTypeOf<{ ids: string[] }>();
    expectTypeOf<Parameters<ServerToClientEvents[typeof EVENTS.newMessage]>>().toEqualTypeOf<[message: StoredMessage]>();
    expectTypeOf<Parameters<ServerToClientEvents[typeof EVENTS.newShares]>>().toEqualTypeOf<[shares: DeliveredShare[]]>();
    expectTypeOf<Parameters<ServerToClientEvents[typeof EVENTS.checkpoint]>>().toEqualTypeOf<[checkpoint: LedgerCheckpoint]>();
    expectTypeOf<Parameters<ServerToClientEvents[typeof EVENTS.membersAdded]>>().toEqualTypeOf<[event: MembersAddedEvent]>();
    expectTypeOf<Parameters<ServerToClientEvents[typeof EVENTS.keysChanged]>>().toEqualTypeOf<[event: KeysChangedEvent]>();
  });

  it("types each ack", () => {
    expectTypeOf<ClientEventAck<typeof EVENTS.sendMessage>>().toEqualTypeOf<SendMessageAck>();
    expectTypeOf<ClientEventAck<typeof EVENTS.sendShares>>().toEqualTypeOf<{ queued: number }>();
    expectTypeOf<ClientEventAck<typeof EVENTS.ackShares>>().toEqualTypeOf<{ acknowledged: number }>();
    expectTypeOf<Parameters<ClientToServerEvents[typeof EVENTS.sendMessage]>[1]>().toEqualTypeOf<
      (response: Ack<SendMessageAck>) => void
    >();
  });

  it("knows the event names and nothing else", () => {
    expectTypeOf<keyof ClientToServerEvents>().toEqualTypeOf<"message:send" | "room:subscribe" | "shares:send" | "shares:ack">();
    expectTypeOf<keyof ServerToClientEvents>().toEqualTypeOf<
      "message:new" | "shares:new" | "audit:checkpoint" | "room:members-removed" | "room:members-added" | "room:keys-changed"
    >();
    expectTypeOf<keyof InterServerEvents>().toBeNever();
    expectTypeOf<SocketData<Uint8Array>>().toEqualTypeOf<{
      userId: string;
      username: string;
      deviceId: string;
      signingKey: Uint8Array;
    }>();
  });

  it("refuses unknown events and wrongly shaped payloads", () => {
    const typed = () => {
      toRelay(EVENTS.sendMessage, { clientMsgId: "m-0000001", envelope }, (ack) => void ack);
      toRelay(EVENTS.subscribeRoom, { roomId: "r" });
      toClient(EVENTS.newMessage, message);
      // @ts-expect-error no such event
      toRelay("message:delete", { roomId: "r" });
      // @ts-expect-error a server event is not a client event
      toRelay(EVENTS.newMessage, message);
      // @ts-expect-error the payload lacks its envelope
      toRelay(EVENTS.sendMessage, { clientMsgId: "m-0000001" }, () => undefined);
      // @ts-expect-error sending a message needs an ack callback
      toRelay(EVENTS.sendMessage, { clientMsgId: "m-0000001", envelope });
      // @ts-expect-error room ids are strings
      toRelay(EVENTS.subscribeRoom, { roomId: 7 });
      // @ts-expect-error shares travel in a `shares` array
      toRelay(EVENTS.sendShares, [], () => undefined);
      // @ts-expect-error a checkpoint is not a message
      toClient(EVENTS.newMessage, { treeSize: 1, rootHash: "", txId: "", time: "" });
      // roomSeq is a number: calling a string method on it must not compile.
      // @ts-expect-error the ack's data is typed too
      toRelay(EVENTS.sendMessage, { clientMsgId: "m-0000001", envelope }, (ack) => (ack.ok ? ack.roomSeq.toUpperCase() : "")); // eslint-disable-line @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call
    };
    expectTypeOf(typed).toBeFunction();
  });
});
