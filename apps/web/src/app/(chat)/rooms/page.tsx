export default function RoomsPage() {
  return (
    <section className="room empty">
      <p className="muted">Pick a room, or create one with the people you want to talk to.</p>
    </section>
  );
}
