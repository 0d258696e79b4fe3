"use client";
/**
 * The React binding of {@link RoomController}: one controller per open room (made
 * anew when the room changes, closed when the screen goes), its snapshot as state.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { RoomController, type RoomDeps, type RoomSnapshot } from "./room-controller";

const nothing = () => () => undefined;

/** @param deps what the controller talks to; read when the room opens */
export function useRoom(roomId: string, deps: RoomDeps): { room: RoomController | null; state: RoomSnapshot | null } {
  const [room, setRoom] = useState<RoomController | null>(null);
  const latest = useRef(deps);
  latest.current = deps;
  useEffect(() => {
    const controller = new RoomController(roomId, latest.current);
    setRoom(controller);
    void controller.open();
    return () => controller.close();
  }, [roomId]);
  const state = useSyncExternalStore(room?.subscribe ?? nothing, () => room?.getSnapshot() ?? null, () => null);
  return { room, state };
}
