import type { ReactNode } from "react";
import { RoomList } from "../_components/RoomList";

export default function RoomsLayout({ children }: { children: ReactNode }) {
  return (
    <main className="chat">
      <RoomList />
      {children}
    </main>
  );
}
