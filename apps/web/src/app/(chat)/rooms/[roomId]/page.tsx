import { RoomScreen } from "../../_components/RoomScreen";

export default async function RoomPage({ params }: PageProps<"/rooms/[roomId]">) {
  const { roomId } = await params;
  return <RoomScreen key={roomId} roomId={roomId} />;
}
